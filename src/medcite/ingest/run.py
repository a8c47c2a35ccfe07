"""Ingest: source files → documents → passages → corpus store.

Each batch of documents is written in one transaction, so an interrupted ingest keeps what
it finished; running it again skips unchanged documents (content hash) and completes the rest.
Bad records are reported with file and record and skipped; they never stop the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from medcite.config import ChunkSettings
from medcite.corpus.store import CorpusStore
from medcite.ingest.chunk import chunk_document
from medcite.ingest.report import BATCH_DOCUMENTS, FileReport, IngestReport, record_batch
from medcite.models import Document, IngestProblem, Passage
from medcite.progress import ProgressFn, silent
from medcite.sources import UnknownFormat, detect_format, expand_paths, read_documents


def ingest(
    paths: Iterable[Path],
    store: CorpusStore,
    *,
    fmt: str = "auto",
    chunking: ChunkSettings | None = None,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    after_file: Callable[[], object] | None = None,
) -> IngestReport:
    """Ingest files or directories into ``store``; see the module docstring for guarantees.

    With ``workers``, PubMed XML files go through :mod:`medcite.ingest.parallel` (that many
    parsing processes, a per-file checkpoint, ``after_file`` after each file); other files
    are read here as usual.
    """
    chunking = chunking or ChunkSettings()
    progress = progress or silent
    report = IngestReport()
    run_id = store.start_run()
    files = list(expand_paths(Path(p) for p in paths))
    if workers:
        from medcite.ingest.parallel import ingest_checkpointed

        pubmed = [p for p in files if fmt in ("auto", "pubmed-xml") and _is_pubmed_xml(p, fmt)]
        files = [p for p in files if p not in pubmed]
        report.files += ingest_checkpointed(
            pubmed,
            store,
            workers=workers,
            chunking=chunking,
            progress=progress,
            after_file=after_file,
        ).files
    for path in files:
        report.files.append(_ingest_file(path, store, fmt, chunking, progress))
    store.finish_run(run_id, report.to_dict())
    return report


def _ingest_file(
    path: Path, store: CorpusStore, fmt: str, chunking: ChunkSettings, progress: ProgressFn
) -> FileReport:
    try:
        file_format = detect_format(path) if fmt == "auto" else fmt
    except UnknownFormat as exc:
        reason = str(exc).removeprefix(f"{path}: ")  # the problem names the path itself
        return FileReport(str(path), "unknown", problems=[IngestProblem(str(path), "file", reason)])
    file_report = FileReport(str(path), file_format)
    task = f"ingest {path.parent.name}/{path.name}"
    total = _estimate_records(path)
    progress(task, 0, total)
    batch: list[tuple[Document, list[Passage]]] = []
    for item in read_documents(path, file_format):
        if isinstance(item, IngestProblem):
            file_report.problems.append(item)
            continue
        batch.append(
            (item, chunk_document(item, max_words=chunking.max_words, min_words=chunking.min_words))
        )
        if len(batch) >= BATCH_DOCUMENTS:
            record_batch(batch, store, file_report)
            progress(task, file_report.documents, total)
            batch = []
    record_batch(batch, store, file_report)
    progress(task, file_report.documents, file_report.documents)
    return file_report


def _is_pubmed_xml(path: Path, fmt: str) -> bool:
    try:
        return (detect_format(path) if fmt == "auto" else fmt) == "pubmed-xml"
    except UnknownFormat:
        return False


def _estimate_records(path: Path) -> int | None:
    """Record count for a progress bar: lines of a JSONL file; unknown for other formats."""
    target = path / "corpus.jsonl" if path.is_dir() else path
    if target.suffix != ".jsonl" or not target.is_file():
        return None
    with target.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))

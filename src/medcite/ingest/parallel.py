"""PubMed baseline/update files at scale: parallel, streaming, checkpointed per file.

``ingest_checkpointed(paths, store, workers=N)``:

- each file is claimed through the checkpoint table (:mod:`medcite.ingest.checkpoint`), so
  a re-run skips finished files and several processes or machines sharing a PostgreSQL corpus
  database split the files between them;
- ``N`` processes parse and chunk claimed files, streaming: each sends batches of
  :data:`BATCH_DOCUMENTS` documents through a bounded queue, so memory stays flat whatever
  the file size, and this process writes them to the store (one writer, batched);
- after a file's documents, its ``DeleteCitation`` PMIDs are removed from the store (and so
  from the index on the next sync), then the file is marked done and ``after_file`` runs
  (the engine brings the index up to date there);
- files apply in name order, as NLM numbers them: a document is written only if no file
  named later already wrote or deleted it, so an update file processed before an older one
  still wins (the newer version replaces, and deletions stick).

Killing a run at any point loses nothing: documents written are idempotent upserts, and the
file that was being read is claimed again by the next run.
"""

from __future__ import annotations

import multiprocessing
import queue as queue_module
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from medcite.config import ChunkSettings
from medcite.corpus.store import CorpusStore
from medcite.ingest.checkpoint import CheckpointTable, Claim, file_sha256, worker_name
from medcite.ingest.chunk import chunk_document
from medcite.ingest.report import BATCH_DOCUMENTS, FileReport, IngestReport, record_batch
from medcite.models import Document, IngestProblem, Passage
from medcite.progress import ProgressFn, silent
from medcite.sources.pubmed_xml import read_deleted_pmids, read_pubmed_xml

FILES_TASK = "ingest files"
DOCUMENTS_TASK = "documents"
_QUEUE_BATCHES_PER_WORKER = 4
_POLL_SECONDS = 0.5

Batch = list[tuple[Document, list[Passage]]]
_queue: Any = None  # set in each pool process by _init_worker


def ingest_checkpointed(
    paths: Iterable[Path],
    store: CorpusStore,
    *,
    workers: int = 1,
    chunking: ChunkSettings | None = None,
    progress: ProgressFn | None = None,
    after_file: Callable[[], object] | None = None,
) -> IngestReport:
    """Ingest PubMed XML files with ``workers`` parsing processes; see the module docstring.

    Returns the report of the files this call processed (skipped files are not listed).
    """
    chunking = chunking or ChunkSettings()
    progress = progress or silent
    local = {path.name: path for path in sorted(paths, key=lambda p: p.name)}
    table = CheckpointTable(store.engine)
    table.register(list(local.values()))
    todo = [n for n, status in table.statuses(local).items() if status != "done"]
    run = _Run(store, table, local, progress, after_file, total_files=len(todo))
    progress(FILES_TASK, 0, len(todo))
    context = multiprocessing.get_context("spawn")  # no fork of gRPC/SQLAlchemy state
    results = context.Queue(maxsize=_QUEUE_BATCHES_PER_WORKER * workers)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(results,)
    ) as pool:
        futures: dict[str, Future[None]] = {}
        try:
            while True:
                while len(futures) < workers and (claim := run.claim_next()):
                    futures[claim.name] = pool.submit(_parse_file, claim.name, claim.path, chunking)
                if not futures:
                    break
                try:
                    message = results.get(timeout=_POLL_SECONDS)
                except queue_module.Empty:
                    run.check_crashed(futures)
                    continue
                if run.handle(message):
                    futures.pop(message[1]).result()
        except BaseException:
            run.abandon()
            _drain(results, futures.values())  # parsers blocked on a full queue never end
            _shut_down_reading(pool, results)
            raise
    results.close()
    results.join_thread()
    return run.report


class _Run:
    """The writer side of one ingest: claims, writes batches, finishes files."""

    def __init__(
        self,
        store: CorpusStore,
        table: CheckpointTable,
        local: dict[str, Path],
        progress: ProgressFn,
        after_file: Callable[[], object] | None,
        *,
        total_files: int,
    ) -> None:
        self.store, self.table, self.local = store, table, local
        self.progress, self.after_file = progress, after_file
        self.worker = worker_name()
        self.report = IngestReport()
        self.claims: dict[str, Claim] = {}
        self.files: dict[str, FileReport] = {}
        self.attempted: set[str] = set()
        self.done_files = 0
        self.total_files = total_files
        self.documents = 0

    def claim_next(self) -> Claim | None:
        claim = self.table.claim(self.local, self.attempted, self.worker)
        if claim is not None:
            self.attempted.add(claim.name)
            self.claims[claim.name] = claim
            self.files[claim.name] = FileReport(str(claim.path), "pubmed-xml")
            self.report.files.append(self.files[claim.name])
        return claim

    def handle(self, message: tuple[str, str, Any]) -> bool:
        """Apply one message from a parser; True when its file is finished."""
        kind, name, payload = message
        file_report = self.files[name]
        if kind == "batch":
            record_batch(self._newest_only(payload, name), self.store, file_report)
            self.documents += len(payload)
            self.progress(DOCUMENTS_TASK, self.documents, None)
        elif kind == "problem":
            file_report.problems.append(payload)
        elif kind == "done":
            self._finish(name, payload)
            return True
        elif kind == "error":
            file_report.problems.append(IngestProblem(str(self.local[name]), "file", payload))
            self.table.fail(self.claims.pop(name), payload)
            return True
        return False

    def abandon(self) -> None:
        """Let go of the files in progress (PostgreSQL: roll back, so others may claim them)."""
        for claim in self.claims.values():
            if claim.connection is not None:
                claim.connection.close()
        self.claims.clear()

    def check_crashed(self, futures: dict[str, Future[None]]) -> None:
        """Re-raise the error of a parser process that died without reporting."""
        for future in futures.values():
            if future.done():
                future.result()

    def _newest_only(self, batch: Batch, name: str) -> Batch:
        """Drop documents that a file named after ``name`` already wrote or deleted."""
        doc_ids = [doc.doc_id for doc, _ in batch]
        newer = {d for d, origin in self.store.origins(doc_ids).items() if Path(origin).name > name}
        newer |= {d for d, file_name in self.table.deleted_by(doc_ids).items() if file_name > name}
        return [item for item in batch if item[0].doc_id not in newer]

    def _finish(self, name: str, payload: dict[str, Any]) -> None:
        file_report = self.files[name]
        pmids = [f"pmid:{pmid}" for pmid in payload["deleted"]]
        if pmids:
            origins = self.store.origins(pmids)
            stale = [d for d, origin in origins.items() if Path(origin).name <= name]
            file_report.deleted = self.store.delete_documents(stale)
            self.table.record_deleted(pmids, name)
        counts = {
            "documents": file_report.documents,
            "deleted": file_report.deleted,
            "problems": len(file_report.problems),
        }
        self.table.finish(self.claims.pop(name), sha256=payload["sha256"], counts=counts)
        if self.after_file is not None:
            self.after_file()
        self.done_files += 1
        self.progress(FILES_TASK, self.done_files, self.total_files)


def _drain(results: Any, futures: Iterable[Future[None]]) -> None:
    """Discard parser output until every parser has ended."""
    pending = list(futures)
    while any(not f.done() for f in pending):
        try:
            results.get(timeout=_POLL_SECONDS)
        except queue_module.Empty:
            continue


def _shut_down_reading(pool: ProcessPoolExecutor, results: Any) -> None:
    """Shut the pool down while still reading: a parser whose task has ended exits only once
    its queue's feeder thread has flushed what it buffered, so nobody reading means a pool
    that never shuts down."""
    stopper = threading.Thread(target=pool.shutdown, kwargs={"wait": True}, daemon=True)
    stopper.start()
    while stopper.is_alive():
        try:
            results.get(timeout=_POLL_SECONDS)
        except queue_module.Empty:
            continue


# -- the parser processes ---------------------------------------------------------------


def _init_worker(results: Any) -> None:
    global _queue
    _queue = results


def _parse_file(name: str, path: Path, chunking: ChunkSettings) -> None:
    """Stream ``path``'s documents (chunked) to the writer in batches, then its deletions."""
    try:
        sha256 = file_sha256(path)
        batch: Batch = []
        for item in read_pubmed_xml(path):
            if isinstance(item, IngestProblem):
                _queue.put(("problem", name, item))
                continue
            passages = chunk_document(
                item, max_words=chunking.max_words, min_words=chunking.min_words
            )
            batch.append((item, passages))
            if len(batch) >= BATCH_DOCUMENTS:
                _queue.put(("batch", name, batch))
                batch = []
        if batch:
            _queue.put(("batch", name, batch))
        _queue.put(("done", name, {"sha256": sha256, "deleted": read_deleted_pmids(path)}))
    except Exception as exc:  # reported to the writer, which marks the file failed
        _queue.put(("error", name, f"{type(exc).__name__}: {exc}"))

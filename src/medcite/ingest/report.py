"""What an ingest did, per file, and the one way a batch of documents is written."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from medcite.corpus.store import CorpusStore, RecordRejected
from medcite.models import Document, IngestProblem, Passage

BATCH_DOCUMENTS = 500


@dataclass
class FileReport:
    path: str
    format: str
    documents: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    passages: int = 0
    deleted: int = 0  # documents removed by PubMed DeleteCitation
    problems: list[IngestProblem] = field(default_factory=list)


@dataclass
class IngestReport:
    """What an ingest did, per file; ``problems`` lists every skipped record."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def problems(self) -> list[IngestProblem]:
        return [p for f in self.files for p in f.problems]

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        totals = {
            n: self.total(n)
            for n in ("documents", "added", "updated", "unchanged", "passages", "deleted")
        }
        return {
            "totals": totals,
            "files": [{**asdict(f), "problems": [str(p) for p in f.problems]} for f in self.files],
            "problems": [str(p) for p in self.problems],
        }


def record_batch(
    batch: list[tuple[Document, list[Passage]]], store: CorpusStore, file_report: FileReport
) -> None:
    """Write ``batch`` (one transaction) and add its counts to ``file_report``.

    When the store rejects the batch for a value in it, each document is written on its
    own and the ones rejected become problems (``document <doc_id>``), so one bad record
    costs only itself. Either way everything good is committed before this returns, which
    is what the per-file checkpoint of a parallel ingest relies on.
    """
    if not batch:
        return
    try:
        counts = store.upsert(batch, origin=file_report.path)
    except RecordRejected as exc:
        if len(batch) == 1:
            # The id may itself hold what the store refused; the problem must still print.
            doc_id = batch[0][0].doc_id.encode("utf-8", "backslashreplace").decode("utf-8")
            file_report.problems.append(
                IngestProblem(file_report.path, f"document {doc_id}", f"not stored: {exc}")
            )
            return
        for item in batch:
            record_batch([item], store, file_report)
        return
    file_report.documents += len(batch)
    file_report.added += counts.added
    file_report.updated += counts.updated
    file_report.unchanged += counts.unchanged
    file_report.passages += counts.passages_written

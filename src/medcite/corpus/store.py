"""The corpus store: documents and passages exactly as ingested, with provenance.

It is the source of truth the search index is derived from. Each document row keeps a
content hash, so re-ingesting an unchanged document is a no-op and a changed one replaces
its passages. Passages carry an ``indexed`` flag and removed passage ids wait in
``index_pending_delete`` until the index has committed their removal; both survive a crash, so an
interrupted ingest or index run is completed by simply running it again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import DataError, IntegrityError

from medcite.corpus.database import create_tables, open_database, writing
from medcite.models import Document, EvidenceLevel, IndexRecord, Passage, Section, sha256_hex

# The corpus is rebuilt from its source files; the index is derived from it.
CORPUS_REPAIR = (
    "move it and the index/ folder beside it away, then run `medcite ingest` on your sources "
    "again (or restore it from a backup)"
)
_PASSAGE_FIELDS = [f.name for f in fields(Passage)]
metadata = MetaData()

document_table = Table(
    "document",
    metadata,
    Column("doc_id", String, primary_key=True),
    Column("collection", String, nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("source", String, nullable=False),
    Column("year", Integer),
    Column("url", String),
    Column("publication_types", Text, nullable=False),  # JSON list
    Column("mesh", Text, nullable=False),  # JSON list
    Column("evidence_level", String, nullable=False),
    Column("sections", Text, nullable=False),  # JSON [[label, start, end], ...]
    Column("metadata", Text, nullable=False),  # JSON object
    Column("content_hash", String, nullable=False),
    Column("origin", String, nullable=False),  # file it was ingested from
    Column("ingested_at", String, nullable=False),
)

passage_table = Table(
    "passage",
    metadata,
    Column("passage_id", String, primary_key=True),
    Column("doc_id", String, ForeignKey("document.doc_id"), nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("section", String),
    Column("indexed", Integer, nullable=False, default=0),
    Index("ix_passage_doc", "doc_id"),
    Index("ix_passage_indexed", "indexed"),
)

pending_delete_table = Table(
    "index_pending_delete",
    metadata,
    Column("passage_id", String, primary_key=True),
)

ingest_run_table = Table(
    "ingest_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String, nullable=False),
    Column("finished_at", String),
    Column("report", Text),  # JSON IngestReport
)


class RecordRejected(ValueError):
    """The database refused a batch for what is in it (a value it cannot hold), not for
    its own state; the message says why. Retrying the records one by one finds the bad one."""


# What a record's content can make a write raise: a value the column cannot hold (SQLite
# OverflowError, PostgreSQL DataError for NUL), a text that cannot be encoded (ValueError,
# UnicodeEncodeError while hashing), a constraint. Locks, lost connections and full disks
# (OperationalError) are the database's state and propagate.
_CONTENT_ERRORS = (DataError, IntegrityError, OverflowError, ValueError)


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    passages_written: int = 0
    changed_doc_ids: list[str] = field(default_factory=list)


class CorpusStore:
    """Documents and passages in SQLite (any SQLAlchemy URL works; SQLite is the default)."""

    def __init__(self, url_or_path: str | Path) -> None:
        self.engine: Engine = open_database(url_or_path, repair=CORPUS_REPAIR)
        self._writer = writing(self.engine)
        create_tables(self.engine, metadata)

    def close(self) -> None:
        self.engine.dispose()

    # -- writes -------------------------------------------------------------------------

    def upsert(
        self, batch: Sequence[tuple[Document, list[Passage]]], *, origin: str
    ) -> UpsertCounts:
        """Insert or replace documents with their passages in one transaction.

        A document whose content hash is unchanged is left alone (no passage rewritten, so
        nothing is re-indexed or re-embedded). Raises `RecordRejected` (nothing written) when
        a value in the batch cannot be stored.
        """
        try:
            return self._upsert(batch, origin)
        except _CONTENT_ERRORS as exc:
            raise RecordRejected(_rejection(exc)) from exc

    def _upsert(self, batch: Sequence[tuple[Document, list[Passage]]], origin: str) -> UpsertCounts:
        counts = UpsertCounts()
        latest = {doc.doc_id: (doc, passages) for doc, passages in batch}  # last one wins
        now = _now()
        with self._writer.begin() as conn:
            known = dict(
                conn.execute(
                    select(document_table.c.doc_id, document_table.c.content_hash).where(
                        document_table.c.doc_id.in_(list(latest))
                    )
                ).all()
            )
            changed = [d for d, (doc, _) in latest.items() if known.get(d) != doc.content_hash]
            counts.unchanged = len(latest) - len(changed)
            replaced = [d for d in changed if d in known]
            counts.updated, counts.added = len(replaced), len(changed) - len(replaced)
            if replaced:
                self._remove_passages(conn, replaced)
                conn.execute(delete(document_table).where(document_table.c.doc_id.in_(replaced)))
            if not changed:
                return counts
            conn.execute(
                insert(document_table),
                [_document_row(latest[d][0], origin, now) for d in changed],
            )
            rows = [_passage_row(p) for d in changed for p in latest[d][1]]
            if rows:
                conn.execute(insert(passage_table), rows)
                # An unchanged passage id re-added in this batch must not be deleted later.
                conn.execute(
                    delete(pending_delete_table).where(
                        pending_delete_table.c.passage_id.in_([r["passage_id"] for r in rows])
                    )
                )
            counts.passages_written = len(rows)
            counts.changed_doc_ids = changed
        return counts

    def _remove_passages(self, conn: Any, doc_ids: list[str]) -> None:
        old = select(passage_table.c.passage_id).where(passage_table.c.doc_id.in_(doc_ids))
        conn.execute(
            insert(pending_delete_table).from_select(["passage_id"], old).prefix_with("OR IGNORE")
            if conn.dialect.name == "sqlite"
            else insert(pending_delete_table).from_select(["passage_id"], old)
        )
        conn.execute(delete(passage_table).where(passage_table.c.doc_id.in_(doc_ids)))

    def delete_documents(self, doc_ids: Sequence[str]) -> int:
        """Remove documents and their passages (the index removes them on its next sync).

        Returns how many of ``doc_ids`` existed."""
        with self._writer.begin() as conn:
            found = [
                d
                for chunk in _chunks(list(doc_ids), 900)
                for d in conn.execute(
                    select(document_table.c.doc_id).where(document_table.c.doc_id.in_(chunk))
                ).scalars()
            ]
            for chunk in _chunks(found, 900):
                self._remove_passages(conn, chunk)
                conn.execute(delete(document_table).where(document_table.c.doc_id.in_(chunk)))
        return len(found)

    def origins(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """``doc_id -> origin`` (the file it was last ingested from) of the stored ones."""
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(doc_ids), 900):
                query = select(document_table.c.doc_id, document_table.c.origin).where(
                    document_table.c.doc_id.in_(chunk)
                )
                found.update(conn.execute(query).all())
        return found

    def start_run(self) -> int:
        with self._writer.begin() as conn:
            key = conn.execute(
                insert(ingest_run_table).values(started_at=_now())
            ).inserted_primary_key
            assert key is not None  # an INSERT always has one
            return int(key[0])

    def finish_run(self, run_id: int, report: dict[str, Any]) -> None:
        with self._writer.begin() as conn:
            conn.execute(
                update(ingest_run_table)
                .where(ingest_run_table.c.id == run_id)
                .values(finished_at=_now(), report=json.dumps(report))
            )

    # -- index bookkeeping --------------------------------------------------------------

    def unindexed(self, batch_size: int = 5000) -> Iterator[list[IndexRecord]]:
        """Passages the index does not have yet, as index records, in batches."""
        query = (
            select(
                passage_table.c.passage_id,
                passage_table.c.doc_id,
                document_table.c.title,
                passage_table.c.text,
                document_table.c.collection,
                document_table.c.evidence_level,
                document_table.c.year,
            )
            .join(document_table, document_table.c.doc_id == passage_table.c.doc_id)
            .where(passage_table.c.indexed == 0)
            .order_by(passage_table.c.passage_id)
        )
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(query)
            while rows := result.fetchmany(batch_size):
                yield [IndexRecord(*row) for row in rows]

    def count_unindexed(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(passage_table)
                    .where(passage_table.c.indexed == 0)
                ).scalar_one()
            )

    def pending_deletes(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(pending_delete_table.c.passage_id)).scalars())

    def mark_indexed(self, passage_ids: Iterable[str], deleted: Iterable[str]) -> None:
        """Record what the index has committed; call only after the index commit succeeded."""
        ids, gone = list(passage_ids), list(deleted)
        with self._writer.begin() as conn:
            for chunk in _chunks(ids, 900):
                conn.execute(
                    update(passage_table)
                    .where(passage_table.c.passage_id.in_(chunk))
                    .values(indexed=1)
                )
            for chunk in _chunks(gone, 900):
                conn.execute(
                    delete(pending_delete_table).where(pending_delete_table.c.passage_id.in_(chunk))
                )

    def reset_index_flags(self) -> None:
        """Forget what was indexed (used when the index directory is rebuilt from scratch)."""
        with self._writer.begin() as conn:
            conn.execute(update(passage_table).values(indexed=0))
            conn.execute(delete(pending_delete_table))

    # -- reads --------------------------------------------------------------------------

    def passages(self, passage_ids: Sequence[str]) -> dict[str, tuple[Passage, Document]]:
        """The passages asked for, with their documents, keyed by passage id."""
        if not passage_ids:
            return {}
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(passage_table).where(passage_table.c.passage_id.in_(list(passage_ids)))
                )
                .mappings()
                .all()
            )
            found = [_passage(row) for row in rows]
            docs = self._documents(conn, {p.doc_id for p in found})
        return {p.passage_id: (p, docs[p.doc_id]) for p in found}

    def document_passages(self, doc_ids: Sequence[str], limit: int = 50) -> list[Passage]:
        """The first ``limit`` passages of each document, in document order."""
        if not doc_ids:
            return []
        query = (
            select(passage_table)
            .where(passage_table.c.doc_id.in_(list(doc_ids)), passage_table.c.ordinal < limit)
            .order_by(passage_table.c.doc_id, passage_table.c.ordinal)
        )
        with self.engine.connect() as conn:
            return [_passage(row) for row in conn.execute(query).mappings()]

    def _documents(self, conn: Any, doc_ids: set[str]) -> dict[str, Document]:
        rows = conn.execute(
            select(document_table).where(document_table.c.doc_id.in_(list(doc_ids)))
        ).mappings()
        return {row["doc_id"]: _document(row) for row in rows}

    def iter_passages(self, batch_size: int = 5000) -> Iterator[list[Passage]]:
        """Every passage, in passage id order (for embedding and benchmarks)."""
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True).execute(
                select(passage_table).order_by(passage_table.c.passage_id)
            )
            while rows := result.mappings().fetchmany(batch_size):
                yield [_passage(r) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        with self.engine.connect() as conn:
            return self._documents(conn, {doc_id}).get(doc_id)

    def document_traits(
        self, doc_ids: Iterable[str]
    ) -> dict[str, tuple[EvidenceLevel, int | None]]:
        """Evidence level and year of each document, without loading its text (for priors)."""
        wanted = list(doc_ids)
        if not wanted:
            return {}
        query = select(
            document_table.c.doc_id, document_table.c.evidence_level, document_table.c.year
        ).where(document_table.c.doc_id.in_(wanted))
        with self.engine.connect() as conn:
            return {d: (EvidenceLevel(level), year) for d, level, year in conn.execute(query)}

    def stats(self) -> dict[str, Any]:
        """Counts by collection, totals and the last ingest time."""
        with self.engine.connect() as conn:
            by_collection: dict[str, int] = dict(
                conn.execute(
                    select(document_table.c.collection, func.count()).group_by(
                        document_table.c.collection
                    )
                ).all()
            )
            passages = conn.execute(select(func.count()).select_from(passage_table)).scalar_one()
            last = conn.execute(select(func.max(ingest_run_table.c.finished_at))).scalar_one()
        return {
            "documents": sum(by_collection.values()),
            "passages": int(passages),
            "by_collection": by_collection,
            "last_ingest": last,
        }

    def snapshot_hash(self) -> str:
        """Hash of every (doc_id, content_hash): changes exactly when the corpus changes."""
        digest: list[str] = []
        with self.engine.connect() as conn:
            for doc_id, content_hash in conn.execute(
                select(document_table.c.doc_id, document_table.c.content_hash).order_by(
                    document_table.c.doc_id
                )
            ):
                digest.append(f"{doc_id}={content_hash}")
        return sha256_hex("\n".join(digest))[:16]


def _rejection(exc: Exception) -> str:
    """The driver's own words (first line), without the SQL and parameters SQLAlchemy adds."""
    cause = getattr(exc, "orig", None) or exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return first.encode("utf-8", "replace").decode("utf-8")[:200]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _document_row(doc: Document, origin: str, now: str) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "collection": doc.collection,
        "title": doc.title,
        "text": doc.text,
        "source": doc.source,
        "year": doc.year,
        "url": doc.url,
        "publication_types": json.dumps(list(doc.publication_types)),
        "mesh": json.dumps(list(doc.mesh)),
        "evidence_level": doc.evidence_level.value,
        "sections": json.dumps([[s.label, s.start, s.end] for s in doc.sections]),
        "metadata": json.dumps(doc.metadata, sort_keys=True),
        "content_hash": doc.content_hash,
        "origin": origin,
        "ingested_at": now,
    }


def _passage_row(p: Passage) -> dict[str, Any]:
    return {**{name: getattr(p, name) for name in _PASSAGE_FIELDS}, "indexed": 0}


def _passage(row: Any) -> Passage:
    return Passage(**{name: row[name] for name in _PASSAGE_FIELDS})


def _document(row: Any) -> Document:
    return Document(
        doc_id=row["doc_id"],
        collection=row["collection"],
        title=row["title"],
        text=row["text"],
        source=row["source"],
        year=row["year"],
        url=row["url"],
        publication_types=tuple(json.loads(row["publication_types"])),
        mesh=tuple(json.loads(row["mesh"])),
        evidence_level=EvidenceLevel(row["evidence_level"]),
        sections=tuple(Section(label, s, e) for label, s, e in json.loads(row["sections"])),
        metadata=json.loads(row["metadata"]),
        ingested_at=row["ingested_at"],
    )

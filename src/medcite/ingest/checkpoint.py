"""The ingest checkpoint table: which input file is done, by whom, and when.

It lives in the corpus database (``MEDCITE_CORPUS_URL``, default the SQLite corpus file), so
the documents a file produced and the row saying the file is done share one database.

One row per file, keyed by file *name* (machines may mount the input directory at different
paths): ``path``, ``size``, ``mtime``, ``sha256`` (of the bytes ingested), ``status``
(``pending``/``running``/``done``/``failed``), ``worker`` (``host:pid``), ``started_at``,
``finished_at``, counts and the last error.

Claiming a file:

- PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` in a transaction that stays open while the
  file is processed. Workers on any number of machines skip each other's files; a worker that
  dies loses its connection, its lock goes with it, and the file is claimable again. No
  coordinator, no heartbeat.
- SQLite: one ingest process at a time (SQLite has no row locks). The claim is committed at
  once; a ``running`` row left by a killed run is claimable again by the next run.

A file counts as done only after its documents are written; a re-run skips done files whose
size and modification time are unchanged (or, if those changed, whose SHA-256 is unchanged).
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from medcite.corpus.database import create_tables, writing

metadata = MetaData()

ingest_file_table = Table(
    "ingest_file",
    metadata,
    Column("name", String, primary_key=True),
    Column("path", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("mtime", Float, nullable=False),
    Column("sha256", String),
    Column("status", String, nullable=False, default="pending", index=True),
    Column("worker", String),
    Column("started_at", String),
    Column("finished_at", String),
    Column("documents", Integer),
    Column("deleted", Integer),
    Column("problems", Integer),
    Column("error", Text),
)

# Which file deleted a document last (DeleteCitation): a file ordered before it must not
# bring the document back when files are processed out of order.
deleted_document_table = Table(
    "ingest_deleted_document",
    metadata,
    Column("doc_id", String, primary_key=True),
    Column("file_name", String, nullable=False),
)


def worker_name() -> str:
    """``host:pid``, what the ``worker`` column records."""
    return f"{socket.gethostname()}:{os.getpid()}"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Claim:
    """A file this worker holds; on PostgreSQL ``connection`` holds its row lock."""

    name: str
    path: Path
    connection: Connection | None


class CheckpointTable:
    """The ``ingest_file`` table on ``engine`` (created if missing)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writing(engine)
        self.locking = engine.dialect.name == "postgresql"
        create_tables(engine, metadata)

    def register(self, paths: Sequence[Path]) -> None:
        """Add new files as pending; a done file whose content changed becomes pending again."""
        insert = pg_insert if self.locking else sqlite_insert
        with self._writer.begin() as conn:
            known = {
                row.name: row
                for row in conn.execute(
                    select(ingest_file_table).where(
                        ingest_file_table.c.name.in_([p.name for p in paths])
                    )
                )
            }
            for path in paths:
                stat = path.stat()
                row = known.get(path.name)
                if row is None:
                    conn.execute(
                        insert(ingest_file_table)
                        .values(
                            name=path.name,
                            path=str(path),
                            size=stat.st_size,
                            mtime=stat.st_mtime,
                            status="pending",
                        )
                        .on_conflict_do_nothing()
                    )
                elif (row.size, row.mtime) != (stat.st_size, stat.st_mtime):
                    changed = row.sha256 != file_sha256(path)
                    values: dict[str, Any] = {"size": stat.st_size, "mtime": stat.st_mtime}
                    if changed:
                        values["status"] = "pending"
                    conn.execute(
                        update(ingest_file_table)
                        .where(ingest_file_table.c.name == path.name)
                        .values(**values)
                    )

    def statuses(self, names: Collection[str]) -> dict[str, str]:
        with self.engine.connect() as conn:
            query = select(ingest_file_table.c.name, ingest_file_table.c.status).where(
                ingest_file_table.c.name.in_(list(names))
            )
            return dict(conn.execute(query).all())

    def rows(self) -> list[dict[str, Any]]:
        """Every row, by name (for status reports and tests)."""
        with self.engine.connect() as conn:
            query = select(ingest_file_table).order_by(ingest_file_table.c.name)
            return [dict(row) for row in conn.execute(query).mappings()]

    def claim(self, local: dict[str, Path], busy: Collection[str], worker: str) -> Claim | None:
        """Take the first not-done file of ``local`` (name -> path) that nobody holds."""
        candidates = [name for name in local if name not in busy]
        if not candidates:
            return None
        query = (
            select(ingest_file_table.c.name)
            .where(ingest_file_table.c.status != "done")
            .where(ingest_file_table.c.name.in_(candidates))
            .order_by(ingest_file_table.c.name)
            .limit(1)
        )
        conn = self._writer.connect()  # read then write: take SQLite's write lock up front
        try:
            if self.locking:
                query = query.with_for_update(skip_locked=True)
            name = conn.execute(query).scalar_one_or_none()
            if name is None:
                conn.rollback()
                conn.close()
                return None
            conn.execute(
                update(ingest_file_table)
                .where(ingest_file_table.c.name == name)
                .values(status="running", worker=worker, started_at=_now(), error=None)
            )
            if not self.locking:
                conn.commit()
                conn.close()
                return Claim(name, local[name], None)
            return Claim(name, local[name], conn)
        except BaseException:
            conn.close()
            raise

    def finish(self, claim: Claim, *, sha256: str, counts: dict[str, int]) -> None:
        """Mark ``claim`` done (and release its lock)."""
        stat = claim.path.stat()
        self._close(
            claim,
            status="done",
            finished_at=_now(),
            sha256=sha256,
            size=stat.st_size,
            mtime=stat.st_mtime,
            **counts,
        )

    def fail(self, claim: Claim, error: str) -> None:
        """Mark ``claim`` failed with ``error``; the next run tries it again."""
        self._close(claim, status="failed", finished_at=_now(), error=error[:2000])

    def _close(self, claim: Claim, **values: Any) -> None:
        statement = (
            update(ingest_file_table).where(ingest_file_table.c.name == claim.name).values(**values)
        )
        if claim.connection is None:
            with self._writer.begin() as conn:
                conn.execute(statement)
            return
        try:
            claim.connection.execute(statement)
            claim.connection.commit()
        finally:
            claim.connection.close()

    # -- deletions, for out-of-order update files ---------------------------------------

    def deleted_by(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """``doc_id -> name of the file that deleted it`` for the deleted ones."""
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(doc_ids), 900):
                chunk = list(doc_ids[start : start + 900])
                query = select(
                    deleted_document_table.c.doc_id, deleted_document_table.c.file_name
                ).where(deleted_document_table.c.doc_id.in_(chunk))
                found.update(conn.execute(query).all())
        return found

    def record_deleted(self, doc_ids: Sequence[str], file_name: str) -> None:
        """Remember that ``file_name`` deleted ``doc_ids`` (the latest file wins)."""
        if not doc_ids:
            return
        insert = pg_insert if self.locking else sqlite_insert
        statement = insert(deleted_document_table).values(
            [{"doc_id": d, "file_name": file_name} for d in doc_ids]
        )
        statement = statement.on_conflict_do_update(
            index_elements=["doc_id"],
            set_={"file_name": statement.excluded.file_name},
            where=deleted_document_table.c.file_name < statement.excluded.file_name,
        )
        with self._writer.begin() as conn:
            conn.execute(statement)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

"""Opening a database: one policy for every database medcite keeps (corpus, editorial
library, threads, ingest checkpoints), whether a SQLite file or a server.

    engine = open_database("sqlite:///corpus.sqlite")    # or a path, or postgresql+psycopg://
    with writing(engine).begin() as conn: ...           # a write transaction
    with engine.connect() as conn: ...                  # reads

SQLite: WAL journal (readers never block the writer), ``synchronous=NORMAL``, foreign keys on,
a 30 s busy timeout, and transactions begun by us: ``BEGIN`` for reads, ``BEGIN IMMEDIATE`` for
writes, so two writers queue for the lock instead of one failing half-way through. Servers
(PostgreSQL): pooled connections checked before use.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url

BUSY_TIMEOUT_S = 30
_WRITE = "medcite_write"


def open_database(url_or_path: str | Path, *, private: bool = False) -> Engine:
    """An engine for a SQLAlchemy URL, or for a SQLite file path (its directory is created).

    ``private``: a SQLite file readable by its owner only (mode 0600), and so its WAL and
    shared-memory files, which SQLite creates with the database file's mode (the editorial
    library holds password and token hashes).
    """
    url = str(url_or_path)
    if "://" not in url:
        url = f"sqlite:///{url}"
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if private:
            _owner_only(Path(parsed.database))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _owner_only(path: Path) -> None:
    """Create ``path`` with mode 0600 if missing; tighten it and its -wal/-shm if not."""
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            file.chmod(0o600)


def writing(engine: Engine) -> Engine:
    """``engine`` for write transactions (``BEGIN IMMEDIATE`` on SQLite)."""
    return engine.execution_options(**{_WRITE: True})


def create_tables(engine: Engine, tables: MetaData) -> None:
    """Create missing ``tables``; on PostgreSQL under a lock, since several ingest workers
    may start at once and concurrent ``CREATE TABLE`` of one name fails."""
    with writing(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(7246001)"))
        tables.create_all(conn)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

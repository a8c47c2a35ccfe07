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
import secrets
import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url

from medcite.errors import CorruptData

BUSY_TIMEOUT_S = 30
_WRITE = "medcite_write"
_SQLITE_MAGIC = b"SQLite format 3\x00"
# SQLite's primary result codes for a damaged file: SQLITE_CORRUPT, SQLITE_NOTADB.
_SQLITE_DAMAGED = {11, 26}
DEFAULT_REPAIR = "restore it from a backup, or move it away to start an empty one"


def open_database(
    url_or_path: str | Path, *, private: bool = False, repair: str = DEFAULT_REPAIR
) -> Engine:
    """An engine for a SQLAlchemy URL, or for a SQLite file path (its directory is created).

    A SQLite file that is empty, not a database or cut short raises `CorruptData` naming
    the file and ``repair`` (what the user should do); so does damage found later, on any
    query through the engine. ``private``: a SQLite file readable by its owner only (mode
    0600), and so its WAL and shared-memory files, which SQLite creates with the database
    file's mode (the editorial library holds password and token hashes).
    """
    url = str(url_or_path)
    if "://" not in url:
        url = f"sqlite:///{url}"
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        database = Path(parsed.database)
        database.parent.mkdir(parents=True, exist_ok=True)
        if not database.exists():
            _create_sqlite_file(database, 0o600 if private else 0o666)
        check_sqlite_file(database, repair)
        if private:
            _owner_only(database)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "handle_error", _damage_reporter(parsed.database or "", repair))
    return engine


def _owner_only(path: Path) -> None:
    """Tighten ``path`` and its -wal/-shm to mode 0600 (a library made before this rule)."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists():
            file.chmod(0o600)


# One read-only descriptor per database file, kept open for the life of the process.
_readers: dict[Path, int] = {}
_readers_lock = threading.Lock()


def _size_and_header(path: Path) -> tuple[int, bytes]:
    """The file's size and first 100 bytes, read through a descriptor that is never closed
    while the file is in place.

    Closing any descriptor of a SQLite file drops every POSIX lock this process holds on
    it: with a connection already open (the library and the thread store share one file;
    each request may open an engine), another process could then write under it and
    corrupt the database. A descriptor is closed only once its file was replaced.
    """
    resolved = path.resolve()
    with _readers_lock:
        fd = _readers.get(resolved)
        if fd is not None and os.fstat(fd).st_ino != os.stat(resolved).st_ino:
            os.close(fd)  # the file that was here before
            fd = None
        if fd is None:
            fd = _readers[resolved] = os.open(resolved, os.O_RDONLY)
        return os.fstat(fd).st_size, os.pread(fd, 100, 0)


def check_sqlite_file(path: Path, repair: str = DEFAULT_REPAIR) -> None:
    """Raise `CorruptData` when an existing ``path`` is not a whole SQLite database: empty,
    another kind of file, or shorter than the page count its header records."""
    if not path.is_file():
        return  # a new database; or a directory in the way, which SQLite reports itself
    try:
        size, header = _size_and_header(path)
    except OSError as exc:
        raise CorruptData(f"{path} cannot be read ({exc.strerror or exc}): {repair}") from exc
    if size == 0:  # never a medcite database: `_create_sqlite_file` writes the header
        raise CorruptData(f"{path} is empty (0 bytes), not a database: {repair}")
    if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
        raise CorruptData(f"{path} is not a SQLite database: {repair}")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The header's page count is valid only when stamped with the current change counter.
    header_valid = header[24:28] == header[92:96]
    if header_valid and size < pages * page_size and not _wal_holds_data(path):
        raise CorruptData(
            f"{path} is cut short ({size:,} of {pages * page_size:,} bytes): {repair}"
        )


def _create_sqlite_file(path: Path, mode: int) -> None:
    """Create an empty WAL database at ``path`` all at once (built aside, then linked into
    place), so no process ever sees a half-created one and an empty file is always damage."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.new")
    # ``mode`` less the umask: 0o666 is the mode SQLite itself would give the file.
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode))
    try:
        connection = sqlite3.connect(temporary)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            connection.close()
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first
    finally:
        os.unlink(temporary)


def _wal_holds_data(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.is_file() and wal.stat().st_size > 0


def _damage_reporter(database: str, repair: str) -> Any:
    def report(context: Any) -> None:
        original = context.original_exception
        code = getattr(original, "sqlite_errorcode", None)
        if isinstance(original, sqlite3.DatabaseError) and code is not None:
            if code & 0xFF in _SQLITE_DAMAGED:
                raise CorruptData(f"{database} is damaged ({original}): {repair}") from original

    return report


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

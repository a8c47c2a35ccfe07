"""The one database policy: WAL, foreign keys, a busy timeout, writers that queue."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from medcite.corpus.database import BUSY_TIMEOUT_S, open_database, writing
from medcite.errors import CorruptData


def test_sqlite_files_get_wal_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "deep" / "db.sqlite")  # a path; its folder is made
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_S * 1000
    finally:
        engine.dispose()


def test_a_second_writer_waits_for_the_first_instead_of_failing(tmp_path: Path) -> None:
    """Both writers read, then write: with deferred transactions the second would fail with
    "database is locked" on its write; ``BEGIN IMMEDIATE`` makes it wait its turn."""
    engine = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with writing(engine).begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    errors: list[BaseException] = []

    def add_one() -> None:
        try:
            with writing(engine).begin() as conn:
                n = conn.execute(text("SELECT n FROM counter")).scalar_one()
                time.sleep(0.2)  # the other writer arrives meanwhile
                conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=add_one) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    try:
        assert errors == []
        with engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 2  # no lost update
    finally:
        engine.dispose()


def _filled(path: Path, rows: int = 2000) -> Path:
    engine = open_database(path)
    with writing(engine).begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER, s TEXT)"))
        conn.execute(
            text("INSERT INTO t VALUES (:n, :s)"), [{"n": i, "s": "x" * 200} for i in range(rows)]
        )
    engine.dispose()  # checkpoints the WAL into the file
    return path


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (lambda data: b"", "is empty (0 bytes)"),
        (lambda data: b"PK\x03\x04 a zip file, not a database" * 100, "is not a SQLite database"),
        (lambda data: data[: len(data) // 3], "is cut short"),
    ],
)
def test_a_damaged_sqlite_file_is_refused_at_open_naming_it_and_the_repair(
    tmp_path: Path, damage: Callable[[bytes], bytes], said: str
) -> None:
    path = _filled(tmp_path / "db.sqlite")
    path.write_bytes(damage(path.read_bytes()))
    before = path.read_bytes()
    with pytest.raises(CorruptData, match=re.escape(said)) as raised:
        open_database(path, repair="run the repair")
    assert str(raised.value).startswith(f"{path} ") and str(raised.value).endswith("run the repair")
    assert path.read_bytes() == before  # left as found, not replaced by an empty database


def test_damage_found_by_a_query_is_corrupt_data_naming_the_file(tmp_path: Path) -> None:
    path = _filled(tmp_path / "db.sqlite")
    data = bytearray(path.read_bytes())
    data[8192 : 8192 + 16384] = os.urandom(16384)  # pages of the table, header intact
    path.write_bytes(bytes(data))
    engine = open_database(path)
    try:
        with pytest.raises(CorruptData, match=f"{path} is damaged"), engine.connect() as conn:
            conn.execute(text("SELECT sum(length(s)) FROM t")).scalar()
    finally:
        engine.dispose()


def test_a_new_sqlite_file_is_never_seen_empty(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    engine = open_database(path)
    assert path.stat().st_size > 0  # created whole, before any connection
    assert [p.name for p in tmp_path.iterdir()] == ["new.sqlite"]  # no temporary left
    engine.dispose()
    open_database(path).dispose()  # and it opens again


def test_opening_a_database_again_keeps_this_process_locks_on_it(tmp_path: Path) -> None:
    """Reading a SQLite file's header through a new descriptor and closing it would drop the
    POSIX locks this process's open connections hold on it. Another process closing its own
    connection then believes it was the last one and removes the WAL under ours (how the
    shared library file got corrupted)."""
    path = _filled(tmp_path / "db.sqlite", rows=10)
    engine = open_database(path)
    try:
        with engine.connect() as conn:  # held open: this process has the database open
            conn.execute(text("SELECT count(*) FROM t")).scalar_one()
            with writing(engine).begin() as writer:
                writer.execute(text("INSERT INTO t VALUES (1, 'in the WAL')"))
            open_database(path).dispose()  # e.g. the thread store opening the same file
            other = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
                    "c.execute('SELECT count(*) FROM t').fetchone(); c.close()",
                    str(path),
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert other.returncode == 0, other.stderr
            assert path.with_name("db.sqlite-wal").exists()  # not taken away from under us
    finally:
        engine.dispose()

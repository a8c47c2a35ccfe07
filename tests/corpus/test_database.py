"""The one database policy: WAL, foreign keys, a busy timeout, writers that queue."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import text

from medcite.corpus.database import BUSY_TIMEOUT_S, open_database, writing


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

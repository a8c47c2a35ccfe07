"""The ingest checkpoint table on real PostgreSQL (row locks, SKIP LOCKED) and SQLite."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pubmed_files import baseline
from sqlalchemy import create_engine, text

from medcite.corpus.store import CorpusStore
from medcite.ingest.checkpoint import CheckpointTable
from medcite.ingest.parallel import ingest_checkpointed


@pytest.fixture
def pg_corpus_url(postgres_url: str) -> Iterator[str]:
    """A fresh database on the session's PostgreSQL server."""
    name = f"corpus_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


def _files(directory: Path, names: list[str]) -> dict[str, Path]:
    return {name: directory / name for name in names}


@pytest.mark.postgres
def test_skip_locked_gives_concurrent_workers_different_files_and_frees_dead_ones(
    pg_corpus_url: str, tmp_path: Path, shared_data: Path
) -> None:
    made = baseline(tmp_path, shared_data, files=3, per_file=1)
    local = _files(tmp_path, sorted(made))
    first, second = (CheckpointTable(create_engine(pg_corpus_url)) for _ in range(2))
    first.register(list(local.values()))
    a = first.claim(local, (), "machine-a:1")
    b = second.claim(local, (), "machine-b:1")
    assert a is not None and b is not None and a.name != b.name
    assert (a.name, b.name) == tuple(sorted(made)[:2])
    a.connection.close()  # machine a dies: its transaction and row lock go with it
    again = second.claim(local, {b.name}, "machine-b:1")
    assert again is not None and again.name == a.name
    second.finish(again, sha256="x", counts={"documents": 1})
    second.fail(b, "boom")
    assert {r["name"]: r["status"] for r in first.rows()} == {
        a.name: "done",
        b.name: "failed",
        sorted(made)[2]: "pending",
    }
    for table in (first, second):
        table.engine.dispose()


@pytest.mark.postgres
def test_two_workers_share_the_files_of_one_postgres_corpus(
    pg_corpus_url: str, tmp_path: Path, shared_data: Path
) -> None:
    made = baseline(tmp_path / "in", shared_data, files=6, per_file=40)
    paths = sorted((tmp_path / "in").iterdir())
    reports: dict[str, list[str]] = {}

    def worker(label: str) -> None:
        store = CorpusStore(pg_corpus_url)
        try:
            report = ingest_checkpointed(paths, store, workers=1)
            reports[label] = [Path(f.path).name for f in report.files]
        finally:
            store.close()

    threads = [threading.Thread(target=worker, args=(label,)) for label in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(reports["a"] + reports["b"]) == sorted(made)  # each file exactly once
    assert reports["a"] and reports["b"]
    store = CorpusStore(pg_corpus_url)
    rows = CheckpointTable(store.engine).rows()
    assert all(r["status"] == "done" for r in rows)
    assert len({r["worker"] for r in rows}) == 1  # one process, host:pid; threads share it
    assert store.stats()["documents"] == sum(len(p) for p in made.values())
    store.close()


@pytest.mark.postgres
def test_the_corpus_store_runs_on_postgres(pg_corpus_url: str, tmp_path: Path, shared_data: Path):
    made = baseline(tmp_path / "in", shared_data, files=1, per_file=5)
    store = CorpusStore(pg_corpus_url)
    try:
        ingest_checkpointed(sorted((tmp_path / "in").iterdir()), store)
        pmids = made["pubmed99n0001.xml.gz"]
        assert store.delete_documents([f"pmid:{pmids[0]}", "pmid:0"]) == 1
        assert store.stats()["documents"] == 4
        assert len(store.pending_deletes()) >= 1
        records = [r for batch in store.unindexed() for r in batch]
        assert {r.doc_id for r in records} == {f"pmid:{p}" for p in pmids[1:]}
    finally:
        store.close()


def test_sqlite_claims_are_committed_and_a_killed_runs_file_is_claimable(
    tmp_path: Path, shared_data: Path
) -> None:
    made = baseline(tmp_path, shared_data, files=2, per_file=1)
    local = _files(tmp_path, sorted(made))
    store = CorpusStore(tmp_path / "corpus.sqlite")
    table = CheckpointTable(store.engine)
    table.register(list(local.values()))
    claim = table.claim(local, (), "w:1")
    assert claim is not None and claim.connection is None
    assert table.statuses(local)[claim.name] == "running"
    # a new run (nothing busy in it) takes the file a killed run left running
    assert table.claim(local, (), "w:2").name == claim.name
    store.close()

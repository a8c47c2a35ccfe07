"""Checkpointed, parallel PubMed ingest on real gzipped files (SQLite corpus store)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pubmed_files import article, baseline, sample_articles, write_pubmed_gz

from medcite.config import Settings
from medcite.ingest.checkpoint import CheckpointTable
from medcite.service import Engine


def _ingest(settings: Settings, directory: Path, workers: int = 2):
    with Engine(settings) as engine:
        report = engine.ingest([directory], workers=workers)
        stats = engine.store.stats()
        rows = CheckpointTable(engine.store.engine).rows()
        return report, stats, rows, engine.backend.count()


def test_files_are_ingested_in_parallel_and_skipped_when_done(
    settings: Settings, tmp_path: Path, shared_data: Path
) -> None:
    made = baseline(tmp_path / "in", shared_data, files=3, per_file=20)
    report, stats, rows, indexed = _ingest(settings, tmp_path / "in")
    assert report.total("documents") == 60 == stats["documents"]
    assert {r["name"]: r["status"] for r in rows} == dict.fromkeys(made, "done")
    assert all(r["sha256"] and r["worker"] and r["finished_at"] for r in rows)
    assert [r["documents"] for r in rows] == [20, 20, 20]
    assert indexed == stats["passages"]

    again, stats_again, rows_again, _ = _ingest(settings, tmp_path / "in")
    assert again.files == []  # nothing re-read
    assert stats_again["passages"] == stats["passages"]
    assert [r["finished_at"] for r in rows_again] == [r["finished_at"] for r in rows]


def test_a_changed_file_is_ingested_again(
    settings: Settings, tmp_path: Path, shared_data: Path
) -> None:
    made = baseline(tmp_path / "in", shared_data, files=2, per_file=5)
    _ingest(settings, tmp_path / "in", workers=1)
    name = sorted(made)[1]
    templates = sample_articles(shared_data)
    pmids = made[name]
    write_pubmed_gz(
        tmp_path / "in" / name,
        [article(templates[p % len(templates)], p, "Revised: ") for p in pmids],
    )
    report, _, rows, _ = _ingest(settings, tmp_path / "in", workers=1)
    assert [f.path for f in report.files] == [str(tmp_path / "in" / name)]
    assert report.total("updated") == len(pmids)
    assert all(r["status"] == "done" for r in rows)


def test_update_files_delete_and_revise_even_out_of_order(
    settings: Settings, tmp_path: Path, shared_data: Path
) -> None:
    made = baseline(tmp_path / "base", shared_data, files=1, per_file=6)
    pmids = made["pubmed99n0001.xml.gz"]
    gone, revised = pmids[0], pmids[1]
    templates = sample_articles(shared_data)
    update = tmp_path / "update"
    update.mkdir()
    write_pubmed_gz(
        update / "pubmed99n0002.xml.gz",
        [article(templates[revised % len(templates)], revised, "Revised: ")],
        deleted=[gone, 12345],  # 12345 was never ingested: ignored
    )
    # The update file is processed first, the older baseline after it.
    _ingest(settings, update, workers=1)
    report, stats, _, indexed = _ingest(settings, tmp_path / "base", workers=1)
    assert stats["documents"] == len(pmids) - 1
    with Engine(settings) as engine:
        assert engine.store.document(f"pmid:{gone}") is None
        newest = engine.store.document(f"pmid:{revised}")
        assert newest is not None and newest.title.startswith("Revised: ")
        assert indexed == stats["passages"]
        assert all(h.document.doc_id != f"pmid:{gone}" for h in engine.search("the", k=100))


def test_delete_citation_removes_documents_from_store_and_index(
    settings: Settings, tmp_path: Path, shared_data: Path
) -> None:
    directory = tmp_path / "in"
    made = baseline(directory, shared_data, files=1, per_file=4)
    _ingest(settings, directory, workers=1)
    gone = made["pubmed99n0001.xml.gz"][2]
    write_pubmed_gz(directory / "pubmed99n0002.xml.gz", [], deleted=[gone])
    with Engine(settings) as engine:
        before = engine.backend.count()
        passages = [
            p for batch in engine.store.iter_passages() for p in batch if p.doc_id == f"pmid:{gone}"
        ]
    report, stats, _, indexed = _ingest(settings, directory, workers=1)
    assert report.total("deleted") == 1
    assert stats["documents"] == 3
    assert passages and indexed == before - len(passages) == stats["passages"]


def _done_files(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name, finished_at FROM ingest_file WHERE status = 'done'")
        return dict(rows.fetchall())


@pytest.mark.slow
def test_sigkill_mid_run_then_rerun_finishes_without_redoing_files(
    tmp_path: Path, shared_data: Path
) -> None:
    """SIGKILL a real `medcite ingest --workers 2` (and its parsers) after its first file."""
    made = baseline(tmp_path / "in", shared_data, files=8, per_file=300)
    home = tmp_path / "home"
    cmd = [sys.executable, "-m", "medcite", "ingest", str(tmp_path / "in")]
    cmd += ["--home", str(home), "--workers", "2", "--quiet"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    db = home / "corpus.sqlite"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists() and _has_table(db) and _done_files(db):
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished_first = _done_files(db)
    assert 0 < len(finished_first) < len(made), "the kill must land mid-run"

    done = subprocess.run(cmd + ["--format", "json"], capture_output=True, text=True, check=True)
    assert str(tmp_path / "in") in done.stdout
    for name, finished_at in finished_first.items():
        assert _done_files(db)[name] == finished_at, f"{name} was ingested twice"
        assert f'"{tmp_path / "in" / name}"' not in done.stdout
    with Engine(Settings(home=home)) as engine:
        stats = engine.store.stats()
        assert stats["documents"] == sum(len(p) for p in made.values())
        assert engine.backend.count() == stats["passages"]
    assert set(_done_files(db)) == set(made)


def _has_table(db: Path) -> bool:
    with sqlite3.connect(db) as conn:
        found = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'ingest_file'")
        return found.fetchone() is not None


def test_a_writer_error_stops_the_run_without_hanging_and_a_rerun_completes(
    tmp_path: Path, shared_data: Path
) -> None:
    from medcite.corpus.store import CorpusStore
    from medcite.ingest.parallel import ingest_checkpointed

    made = baseline(tmp_path / "in", shared_data, files=4, per_file=300)
    paths = sorted((tmp_path / "in").iterdir())
    store = CorpusStore(tmp_path / "corpus.sqlite")

    def index_down() -> None:
        raise RuntimeError("search backend unreachable")

    with pytest.raises(RuntimeError, match="unreachable"):
        ingest_checkpointed(paths, store, workers=2, after_file=index_down)
    statuses = CheckpointTable(store.engine).statuses(made)
    assert list(statuses.values()).count("done") == 1
    report = ingest_checkpointed(paths, store, workers=2)
    assert len(report.files) == len(made) - 1
    assert store.stats()["documents"] == sum(len(p) for p in made.values())
    store.close()

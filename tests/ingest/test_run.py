"""Ingest runs on real files: bad records reported and skipped, crashes resumed, no duplicates."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medcite.config import Settings
from medcite.service import Engine


def test_bad_records_are_reported_and_the_rest_ingested(
    settings: Settings, tmp_path: Path, write_jsonl
) -> None:
    good = {"id": "a1", "title": "Gout", "text": "Colchicine reduces gout flares in adults."}
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [good, "{not json", {"id": "a2", "title": "No text"}, {**good, "id": "a3"}],
    )
    with Engine(settings) as engine:
        report = engine.ingest([path])
        assert report.total("documents") == 2
        reasons = [str(p) for p in report.problems]
        assert any("line 2" in r for r in reasons) and any(
            "line 3" in r and "text" in r for r in reasons
        )
        assert all(str(path) in r for r in reasons)
        assert engine.backend.count() == 2


def test_unknown_and_empty_files_are_reported_not_fatal(settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "notes.txt").write_text("hello")
    with Engine(settings) as engine:
        report = engine.ingest([tmp_path / "empty.jsonl", tmp_path / "notes.txt"])
    assert report.total("documents") == 0
    assert len(report.problems) == 2
    assert any("empty" in str(p) for p in report.problems)
    for problem in report.problems:  # "path: file: reason", the path said once
        assert str(problem).count(problem.path) == 1 and problem.record == "file"


def test_index_commit_crash_is_repaired_without_duplicates(
    settings: Settings, tmp_path: Path, write_jsonl
) -> None:
    """The backend committed but the store never heard: the next sync must not duplicate."""
    rows = [
        {"id": f"d{i}", "title": "Gout", "text": f"Colchicine dose {i} reduces gout flares."}
        for i in range(5)
    ]
    path = write_jsonl(tmp_path / "g.jsonl", rows)
    with Engine(settings) as engine:
        from medcite.ingest.run import ingest

        ingest([path], engine.store)  # stored, not indexed
        for records in engine.store.unindexed():
            engine.backend.upsert(records)
        engine.backend.commit()  # ... and the process "dies" before mark_indexed
        assert engine.backend.count() == 5
        report = engine.index()
        assert report.upserted == 5 and engine.backend.count() == 5
        assert engine.index().upserted == 0


@pytest.mark.slow
def test_killed_ingest_resumes_without_duplicates(tmp_path: Path, shared_data: Path) -> None:
    """SIGKILL a real `medcite ingest` mid-way; re-running it completes the corpus exactly."""
    source = shared_data / "medquad" / "medquad.jsonl"
    home = tmp_path / "home"
    cmd = [sys.executable, "-m", "medcite", "ingest", str(source), "--home", str(home), "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = home / "corpus.sqlite"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if db.exists() and _documents(db) >= 1000:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = _documents(db)
    assert 0 < partial < 16_000, "the kill must land mid-ingest"

    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with Engine(Settings(home=home)) as engine:
        stats = engine.status()
        with source.open(encoding="utf-8") as lines:
            unique_ids = {json.loads(line)["id"] for line in lines}
        assert stats["corpus"]["documents"] == len(unique_ids)
        assert stats["index"]["passages"] == stats["corpus"]["passages"]
        assert stats["index"]["pending"] == 0
        hits = engine.search("treatments for multiple sclerosis", k=50)
        assert len({h.passage.passage_id for h in hits}) == len(hits)


def _documents(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM document").fetchone()[0]
    except sqlite3.OperationalError:
        return 0

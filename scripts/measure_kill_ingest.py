"""Measure: SIGKILL `medcite ingest` at several points, re-run it, compare with a clean ingest.

    python scripts/measure_kill_ingest.py [--lines N] [--out DIR]

Prints, per kill point, the documents stored when killed and whether the re-run gives
exactly the clean ingest: document and passage counts, a hash over every passage's id and
text, the index's passage count and pending work. Not a test: it takes a minute or two.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=6000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="kill-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "medquad.jsonl"
    with (SHARED / "medquad" / "medquad.jsonl").open("rb") as full:
        source.write_bytes(b"".join(itertools.islice(full, args.lines)))
    started = time.perf_counter()
    clean = _run(work / "clean", source)
    print(f"clean ingest: {time.perf_counter() - started:.1f} s, {clean}")
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
        home = work / f"kill-{int(fraction * 100)}"
        when = _kill_at(home, source, int(clean["documents"] * fraction))
        rerun = time.perf_counter()
        after = _run(home, source)
        took = time.perf_counter() - rerun
        same = after == clean
        print(
            f"killed at {when}: re-run {took:.1f} s, {'== clean' if same else '!= clean'} {after}"
        )


def _command(home: Path, source: Path) -> list[str]:
    return [sys.executable, "-m", "medcite", "ingest", str(source), "--home", str(home), "-q"]


def _run(home: Path, source: Path) -> dict[str, object]:
    subprocess.run(_command(home, source), check=True, capture_output=True)
    return _state(home)


def _kill_at(home: Path, source: Path, documents: int) -> str:
    """Start an ingest, SIGKILL it once ``documents`` are stored (at the end: while it
    indexes); return what was stored when it died."""
    process = subprocess.Popen(
        _command(home, source), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    database = home / "corpus.sqlite"
    while process.poll() is None and _count(database, "document") < documents:
        time.sleep(0.01)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    indexed = _count(database, "passage WHERE indexed = 1")
    return f"{_count(database, 'document')} documents, {indexed} passages indexed"


def _count(database: Path, table: str) -> int:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return 0


def _state(home: Path) -> dict[str, object]:
    from medcite.config import Settings
    from medcite.service import Engine

    digest = hashlib.sha256()
    with sqlite3.connect(home / "corpus.sqlite") as conn:
        for passage_id, text in conn.execute("SELECT passage_id, text FROM passage ORDER BY 1"):
            digest.update(f"{passage_id}\x1f{text}\x1e".encode())
    with Engine(Settings(home=home)) as engine:
        status = engine.status()
    return {
        "documents": status["corpus"]["documents"],
        "passages": status["corpus"]["passages"],
        "passage_hash": digest.hexdigest()[:16],
        "indexed": status["index"]["passages"],
        "pending": status["index"]["pending"],
    }


if __name__ == "__main__":
    main()

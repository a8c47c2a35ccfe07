"""kill -9 during ``medcite library export`` (BENCHMARKS.md, "load and faults").

    python -m medcite.eval.bench.export_kill [--articles 20000] [--points 0.1,0.3,0.5,0.7,0.9]

In a temporary directory: a library of ``--articles`` articles (bulk-seeded like ``medcite
library bench``, with synthetic answers of realistic size), 200 threads of 3 turns, a user
per role with a token; one complete export ``backup.jsonl`` (the "old" backup). Then, for each
point p, an export is started as its own process and killed with SIGKILL after p × the time a
whole export takes, in two ways:

- ``file``: ``medcite library export backup.jsonl`` (written beside it, renamed when complete);
- ``redirect``: ``medcite library export > backup.jsonl`` (the file written in place, as the
  export wrote its file before).

After each kill: is ``backup.jsonl`` the old backup, a new complete one, or cut (lines kept of
the total); are ``.partial`` temporaries left; and does ``medcite library import`` accept it
into an empty library (it must refuse a cut file). Prints one JSON document.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from medcite.config import Settings
from medcite.eval.bench.library import seed
from medcite.library import Actor, ImportRejected, Library
from medcite.library.db import open_thread_store

SENTENCE = (
    "Ocrelizumab reduced the risk of confirmed disability progression in primary progressive "
    "multiple sclerosis compared with placebo over at least 12 weeks of follow-up."
)


def synthetic_answer() -> dict[str, Any]:
    """An answer of the size the engine writes (~6 KB): sections, statements, references."""
    references = [
        {"n": n, "doc_id": f"pmid:{1000 + n}", "passage_id": f"p{n:062d}", "text": SENTENCE * 2}
        for n in range(1, 9)
    ]
    sections = [
        {
            "title": f"Section {i}",
            "statements": [{"text": SENTENCE, "citations": [1 + (i + j) % 8]} for j in range(4)],
        }
        for i in range(4)
    ]
    return {
        "question": "What are the treatment options for progressive multiple sclerosis?",
        "audience": "clinician",
        "bottom_line": {"text": SENTENCE, "citations": [1]},
        "sections": sections,
        "references": references,
    }


def build(home: Path, articles: int) -> Settings:
    settings = Settings(home=home)
    system = Actor.system("bench")
    with Library(settings) as library:
        seed(library, synthetic_answer(), articles)
        for name in ("editor", "reviewer", "admin"):
            library.add_user(system, name, name)
            library.create_token(system, name, "bench")
    threads = open_thread_store(settings.threads_db)
    try:
        for i in range(200):
            thread = threads.create()
            for turn in range(3):
                threads.add_turn(thread.thread_id, f"question {i}.{turn}?", "rewrite", None)
    finally:
        threads.close()
    return settings


def export_command(home: Path, target: Path, how: str) -> tuple[list[str], Any]:
    """The command and its stdout for one export (``how``: file or redirect)."""
    base = [sys.executable, "-m", "medcite", "library", "export", "--with-secrets"]
    base += ["--home", str(home)]
    if how == "file":
        return [*base, str(target)], subprocess.DEVNULL
    return base, target.open("w")


def run_export(home: Path, target: Path, how: str, kill_after: float | None) -> float:
    command, out = export_command(home, target, how)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
    if kill_after is not None:
        time.sleep(kill_after)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
    process.wait()
    if out is not subprocess.DEVNULL:
        out.close()
    return time.perf_counter() - started


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def complete(path: Path) -> bool:
    """Whether the file ends with a trailer whose hash matches the lines before it."""
    *body, last = path.read_bytes().splitlines(keepends=True) or [b""]
    try:
        expected = json.loads(last)["trailer"]["sha256"]
    except (ValueError, KeyError, TypeError):
        return False
    return bool(expected == hashlib.sha256(b"".join(body)).hexdigest())


def accepted_by_import(path: Path, scratch: Path) -> bool | str:
    """Whether an empty library imports the file (the refusal's reason when not)."""
    with tempfile.TemporaryDirectory(dir=scratch) as empty:
        with Library(Settings(home=Path(empty))) as target, path.open(encoding="utf-8") as lines:
            try:
                target.import_(Actor.system("bench"), lines, source=path.name)
            except ImportRejected as refused:
                return str(refused)[:120]
    return True


def state(target: Path, before: str | None, scratch: Path) -> dict[str, Any]:
    found = digest(target)
    kind = (
        "absent"
        if found is None
        else "old"
        if found == before
        else "complete"
        if complete(target)
        else "cut"
    )
    partials = [p for p in target.parent.iterdir() if p.name.endswith(".partial")]
    result: dict[str, Any] = {"target": kind, "partials_left": len(partials)}
    if found is not None:
        result["lines"] = len(target.read_bytes().splitlines())
    if kind == "cut":
        result["import"] = accepted_by_import(target, scratch)
    for partial in partials:
        partial.unlink()  # each point starts clean
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--points", default="0.1,0.3,0.5,0.7,0.9")
    args = parser.parse_args(argv)
    points = [float(p) for p in args.points.split(",")]
    with tempfile.TemporaryDirectory(prefix="medcite-export-kill-") as scratch_name:
        scratch = Path(scratch_name)
        home = scratch / "home"
        settings = build(home, args.articles)
        backups = scratch / "backups"
        backups.mkdir()
        target = backups / "backup.jsonl"
        whole = run_export(home, target, "file", None)
        report: dict[str, Any] = {
            "articles": args.articles,
            "export_seconds": round(whole, 2),
            "export_mib": round(target.stat().st_size / 2**20, 1),
            "lines": len(target.read_bytes().splitlines()),
            "kills": [],
        }
        with Library(settings) as library:
            for how in ("file", "redirect"):
                for number, point in enumerate(points):
                    if not complete(target):  # a redirect cut it: the next point needs a backup
                        run_export(home, target, "file", None)
                    # The library changes between backups, so a new export differs from the old.
                    library.add_user(Actor.system("bench"), f"{how}-{number}", "editor")
                    before, after = digest(target), point * whole
                    elapsed = run_export(home, target, how, after)
                    report["kills"].append(
                        {"how": how, "kill_after_s": round(after, 2), "ran_s": round(elapsed, 2)}
                        | state(target, before, scratch)
                    )
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

"""Real `medcite` commands over corrupted data files: one line on stderr naming the file and
the fix, exit status 2, never a traceback; a zero-byte library is an error, not recreated."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medcite.config import Settings
from medcite.service import Engine

GOUT = "Colchicine treats acute gout flares. Allopurinol lowers serum urate over months."
# target file -> (a command that needs it, how the error names it, words of the fix)
TARGETS = {
    "corpus.sqlite": (["status"], "corpus.sqlite", "medcite ingest"),
    "library.sqlite": (["users", "list"], "library.sqlite", "backup"),
    "index/manifest.json": (["ask", "How is gout treated?"], "manifest.json", "medcite index"),
    "index/lexical/meta.json": (["search", "gout"], "index/lexical", "Delete the directory"),
}


@pytest.fixture(scope="module")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("corrupt") / "home"
    corpus = home.parent / "corpus.jsonl"
    corpus.write_text(json.dumps({"id": "g1", "title": "Gout", "text": GOUT}) + "\n")
    with Engine(Settings(home=home)) as engine:
        engine.ingest([corpus])
        engine.library.close()  # creates library.sqlite
    return home


def _corrupt(path: Path, how: str) -> None:
    for leftover in path.parent.glob(path.name + "-*"):  # a WAL may hold a good page 1
        leftover.unlink()
    data = path.read_bytes()
    if how == "zero bytes":
        path.write_bytes(b"")
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:
        path.write_bytes(os.urandom(4096))


def _medcite(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MEDCITE_HOME": str(home), "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-m", "medcite", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("how", ["zero bytes", "truncated", "garbage"])
@pytest.mark.parametrize("target", TARGETS)
def test_a_corrupted_file_is_one_line_naming_it_and_the_fix(
    built_home: Path, tmp_path: Path, target: str, how: str
) -> None:
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    _corrupt(home / target, how)
    command, named, fix = TARGETS[target]
    result = _medcite(home, *command)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and named in lines[0] and fix in lines[0], lines[0]


def test_a_zero_byte_library_is_not_silently_recreated(built_home: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    _corrupt(home / "library.sqlite", "zero bytes")
    result = _medcite(home, "ask", "How is gout treated?")
    assert result.returncode == 2 and "library.sqlite is empty (0 bytes)" in result.stderr
    assert (home / "library.sqlite").stat().st_size == 0

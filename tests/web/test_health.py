"""/healthz says whether answers can be served, and why not; no response shows a server path."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from webtools import assert_error

from medcite.config import Settings
from medcite.service import Engine
from medcite.web.app import create_app
from medcite.web.server import serve_in_thread

GARBAGE = b"this is not a database file at all " * 200
GOUT = "Colchicine treats acute gout flares. Allopurinol lowers serum urate over months."


@contextmanager
def served(home: Path) -> Iterator[httpx.Client]:
    with (
        serve_in_thread(create_app(Settings(home=home))) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        yield http


@pytest.fixture(scope="module")
def small_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory of its own, with a library: copying files that a running server
    has open would drop that process's SQLite locks on them (POSIX locks are per process)."""
    home = tmp_path_factory.mktemp("health") / "home"
    corpus = home.parent / "corpus.jsonl"
    corpus.write_text(json.dumps({"id": "g1", "title": "Gout", "text": GOUT}) + "\n")
    with Engine(Settings(home=home)) as engine:
        engine.ingest([corpus])
        engine.library.close()  # creates library.sqlite: a library in use
    return home


def copy_of(small_home: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(small_home, home)
    return home


def corrupt(database: Path, how: str = "garbage") -> None:
    """Overwrite (or empty, or cut short) a SQLite file, and drop its WAL (which may hold a
    good copy of page 1)."""
    for leftover in database.parent.glob(database.name + "-*"):
        leftover.unlink()
    data = database.read_bytes()
    damaged = {"garbage": GARBAGE, "zero bytes": b"", "truncated": data[: len(data) // 2]}
    database.write_bytes(damaged[how])


DAMAGE = ["garbage", "zero bytes", "truncated"]


def test_a_healthy_server_is_ready_with_no_problems(small_home: Path, tmp_path: Path) -> None:
    with served(copy_of(small_home, tmp_path)) as http:
        health = http.get("/healthz").json()
    assert health["ready"] is True and health["problems"] == []
    assert health["indexed_passages"] > 0


@pytest.mark.parametrize("how", DAMAGE)
def test_a_corrupt_corpus_database_is_not_ready(small_home: Path, tmp_path: Path, how: str) -> None:
    home = copy_of(small_home, tmp_path)
    corrupt(home / "corpus.sqlite", how)
    with served(home) as http:
        response = http.get("/healthz")
    health = response.json()
    assert response.status_code == 200 and health["ready"] is False
    assert health["problems"] == ["the corpus database cannot be read (see the server log)"]
    assert str(tmp_path) not in response.text


@pytest.mark.parametrize("how", DAMAGE)
def test_answers_over_a_damaged_corpus_are_503_without_server_paths(
    small_home: Path, tmp_path: Path, how: str
) -> None:
    home = copy_of(small_home, tmp_path)
    corrupt(home / "corpus.sqlite", how)
    with served(home) as http:
        answer = http.post("/api/v1/answers", json={"question": "How is gout treated?"})
    error = assert_error(answer, 503, "data_damaged")
    assert "server log" in error["message"] and "/" not in error["message"]
    assert str(tmp_path) not in answer.text and "<home>" not in answer.text


@pytest.mark.parametrize("how", DAMAGE)
def test_a_corrupt_library_database_is_not_ready(
    small_home: Path, tmp_path: Path, how: str
) -> None:
    home = copy_of(small_home, tmp_path)
    corrupt(home / "library.sqlite", how)
    with served(home) as http:
        health = http.get("/healthz").json()
    assert health["ready"] is False
    assert health["problems"] == [
        "the editorial library database cannot be read (see the server log)"
    ]


def test_an_unreadable_index_is_not_ready(small_home: Path, tmp_path: Path) -> None:
    home = copy_of(small_home, tmp_path)
    shutil.rmtree(home / "index" / "lexical")
    (home / "index" / "lexical").write_bytes(GARBAGE)  # a file where the directory should be
    with served(home) as http:
        response = http.get("/healthz")
    assert response.json()["problems"] == ["the search index cannot be opened (see the server log)"]
    assert str(tmp_path) not in response.text


def test_an_empty_index_is_not_ready_and_says_what_to_run(tmp_path: Path) -> None:
    home = tmp_path / "empty"
    with served(home) as http:
        health = http.get("/healthz").json()
        answer = http.post("/api/v1/answers", json={"question": "How is gout treated?"})
        page = http.get("/ask", params={"q": "gout"}, headers={"accept": "text/html"})
    assert health["ready"] is False and health["indexed_passages"] == 0
    assert health["problems"] == ["the search index is empty: run `medcite ingest PATH...` first"]
    error = assert_error(answer, 503, "index_not_ready")
    assert str(home) not in error["message"] and str(tmp_path) not in page.text
    assert "<home>/index" in error["message"]

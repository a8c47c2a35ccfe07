"""Library fixtures: the same tests run on SQLite (always) and PostgreSQL (marker ``postgres``).

Each PostgreSQL test gets a database of its own, created on the session's server and dropped
afterwards, so no test sees another's rows.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from medcite.config import Settings
from medcite.library import Actor, Library, Role
from medcite.service import Engine
from services import postgres_database

_names = itertools.count()


@pytest.fixture
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """``new_database("sqlite" | "postgres")``: the URL of a new, empty database."""
    cleanup = ExitStack()
    request.addfinalizer(cleanup.close)

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'library{next(_names)}.sqlite'}"
        server = request.getfixturevalue("postgres_url")
        return cleanup.enter_context(postgres_database(server, f"medcite_test_{next(_names)}"))

    return make


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def library_url(request: pytest.FixtureRequest, new_database: Callable[[str], str]) -> str:
    return new_database(request.param)


@pytest.fixture
def fixture_corpus_url(built_home: Path) -> str:
    """The fixture corpus (that ``real_answer`` cites), for a library's evidence checks."""
    return str(Settings(home=built_home).corpus_db)


@pytest.fixture
def library_settings(tmp_path: Path, library_url: str, fixture_corpus_url: str) -> Settings:
    """A library of its own, its evidence checked against the fixture corpus (tests that
    ingest a corpus of their own override this)."""
    return Settings(home=tmp_path / "home", database_url=library_url, corpus_url=fixture_corpus_url)


@pytest.fixture
def library(library_settings: Settings) -> Iterator[Library]:
    with Library(library_settings) as lib:
        yield lib


@pytest.fixture
def people(library: Library) -> dict[str, Actor]:
    """One user per role (plus a second reviewer), as the actors the web layer would build."""
    system = Actor.system("test")
    made = {}
    for name, role in [
        ("editor", "editor"),
        ("reviewer", "reviewer"),
        ("reviewer2", "reviewer"),
        ("admin", "admin"),
        ("reader", "reader"),
    ]:
        user = library.add_user(system, name, role)
        made[name] = Actor(user.username, Role(user.role), user.id)
    return made


@pytest.fixture(scope="session")
def real_answer(built_home: Path) -> dict[str, Any]:
    """A real answer from the engine over the fixture corpus (composed once per session)."""
    with Engine(Settings(home=built_home)) as engine:
        return engine.answer(
            "What are the treatment options for progressive multiple sclerosis?"
        ).to_dict()


@pytest.fixture
def answer_for(real_answer: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    """The real answer, re-labelled as the answer to ``question`` (for many distinct articles)."""

    def make(question: str, audience: str = "clinician") -> dict[str, Any]:
        answer = copy.deepcopy(real_answer)
        answer["question"], answer["audience"] = question, audience
        return answer

    return make

"""A real uvicorn serving the fixture corpus with an editorial library of its own (test helper).

    with library_site(built_home, "sqlite:///...") as site:
        site.api("editor").post("/api/v1/articles", json={...})     # Bearer token of "editor"

One user per role, each with a password (for the browser) and an API token.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import html

from medcite.config import LibrarySettings, Settings, WebSettings
from medcite.library import Actor, Library
from medcite.web.app import create_app
from medcite.web.server import serve_in_thread
from services import postgres_database

PASSWORD = "correct horse battery staple"
ROLES = {
    "editor": "editor",
    "reviewer": "reviewer",
    "reviewer2": "reviewer",
    "reader": "reader",
    "admin": "admin",
}
DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
HTML = {"Accept": "text/html"}
_names = itertools.count()


@dataclass
class Site:
    url: str
    tokens: dict[str, str]
    settings: Settings

    def api(self, user: str | None = None) -> httpx.Client:
        """An HTTP client, with ``user``'s Bearer token when given (else anonymous)."""
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    @contextmanager
    def browser_client(self, user: str) -> Iterator[httpx.Client]:
        """A client signed in through the login form (it keeps the session cookie)."""
        with httpx.Client(base_url=self.url, timeout=60) as client:
            response = sign_in(client, user, PASSWORD)
            assert response.status_code == 303, response.text
            yield client


def sign_in(client: httpx.Client, username: str, password: str, **fields: str) -> httpx.Response:
    """The login form as a browser submits it: fetched first (its token and cookie), then posted
    with ``username``, ``password`` and any other ``fields`` (e.g. ``next``)."""
    data = {**login_form(client), "username": username, "password": password, **fields}
    return client.post("/login", data=data)


def login_form(client: httpx.Client) -> dict[str, str]:
    """The hidden fields of the login form (its CSRF token), fetched with its cookie."""
    form = html.fromstring(client.get("/login").text).xpath("//form[@action='/login']")[0]
    return {field.name: field.value or "" for field in form.inputs if field.type == "hidden"}


def form_fields(form: html.FormElement) -> dict[str, str]:
    return {field.name: field.value or "" for field in form.inputs if field.name}


def forms(response: httpx.Response, action_suffix: str) -> list[html.FormElement]:
    assert response.status_code == 200, response.text
    return [
        f for f in html.fromstring(response.text).forms if (f.action or "").endswith(action_suffix)
    ]


def press(client: httpx.Client, version_page: httpx.Response, to: str) -> httpx.Response:
    """Submit the version page's workflow form that moves the article ``to``."""
    for form in forms(version_page, "/transitions"):
        fields = form_fields(form)
        if fields["to"] == to:
            return client.post(form.action, data=fields, headers=HTML)
    raise AssertionError(f"no {to!r} button on the page")


@contextmanager
def database(kind: str, request: pytest.FixtureRequest, scratch: Path) -> Iterator[str]:
    """A new, empty library database: a SQLite file, or a database on the test PostgreSQL."""
    if kind == "sqlite":
        yield f"sqlite:///{scratch / f'library{next(_names)}.sqlite'}"
        return
    server = request.getfixturevalue("postgres_url")
    with postgres_database(server, f"medcite_web_{next(_names)}") as url:
        yield url


@contextmanager
def library_site(
    home: Path, database_url: str, web: dict[str, Any] | None = None, **library: Any
) -> Iterator[Site]:
    """The site; ``library`` overrides LibrarySettings fields (e.g. ``secure_cookies=True``),
    ``web`` WebSettings fields."""
    settings = Settings(
        home=home,
        database_url=database_url,
        web=WebSettings(**{"answers_per_minute": 100_000, "answer_burst": 10_000, **(web or {})}),
        library=LibrarySettings(secret_key="test-only secret for signing sessions", **library),
    )
    system = Actor.system("tests")
    with Library(settings) as library:
        for name, role in ROLES.items():
            library.add_user(system, name, role, password=PASSWORD)
        tokens = {name: library.create_token(system, name, "tests").secret for name in ROLES}
    with serve_in_thread(create_app(settings)) as url:
        yield Site(url, tokens, settings)

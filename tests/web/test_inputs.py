"""Odd text (lone surrogates, NUL, control characters) gets a 422 naming the field, everywhere.

On SQLite and on PostgreSQL (which refuses NUL in text), against a real uvicorn with an
editorial library; JSON bodies can carry lone surrogates (``"\\ud800"``), URLs and forms only
bytes (a surrogate's UTF-8 form arrives as U+FFFD there), so those get NUL and BEL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from librarysite import DATABASES, Site, database, library_site
from webtools import assert_error

from medcite.web.inputs import text_problem

SURROGATE, NUL, BELL = "\ud800", "\x00", "\x07"
WHAT = {SURROGATE: "lone surrogate U+D800", NUL: "NUL", BELL: "U+0007"}


@pytest.fixture(scope="module", params=DATABASES)
def site(
    request: pytest.FixtureRequest, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with database(request.param, request, tmp_path_factory.mktemp("inputs")) as url:
        with library_site(built_home, url) as running:
            yield running


@pytest.fixture(scope="module")
def thread_id(site: Site) -> str:
    with site.api() as http:
        created = http.post("/api/v1/threads", json={})
    assert created.status_code == 201, created.text
    return created.json()["thread_id"]


def post_json(path: str, field: str) -> Callable[[httpx.Client, str, str], httpx.Response]:
    """POST ``{field: <odd text>}``, encoded by hand: httpx cannot encode a lone surrogate."""

    def send(http: httpx.Client, odd: str, thread: str) -> httpx.Response:
        body = json.dumps({field: f"How is gout {odd} treated?"})  # ASCII: \\ud800 escaped
        headers = {"content-type": "application/json"}
        return http.post(path.format(thread=thread), content=body.encode(), headers=headers)

    return send


JSON_BODIES = {
    "answers": ("question", post_json("/api/v1/answers", "question")),
    "verify": ("text", post_json("/api/v1/verify", "text")),
    "threads": ("question", post_json("/api/v1/threads", "question")),
    "thread answers": ("question", post_json("/api/v1/threads/{thread}/answers", "question")),
}
URLS_AND_FORMS: dict[str, tuple[str, Callable[[httpx.Client, str, str], httpx.Response]]] = {
    "ask page": ("q", lambda http, odd, _: http.get("/ask", params={"q": f"gout {odd}"})),
    "ask json": ("q", lambda http, odd, _: http.get("/ask.json", params={"q": odd})),
    "stream": ("q", lambda http, odd, _: http.get("/api/v1/answers/stream", params={"q": odd})),
    "search": ("q", lambda http, odd, _: http.get("/api/v1/search", params={"q": odd})),
    "articles topic": ("topic", lambda http, odd, _: http.get("/articles", params={"topic": odd})),
    "api articles topic": (
        "topic",
        lambda http, odd, _: http.get("/api/v1/articles", params={"topic": odd}),
    ),
    "article slug": ("slug", lambda http, odd, _: http.get(f"/articles/gout{quote(odd)}")),
    "document id": ("doc_id", lambda http, odd, _: http.get(f"/api/v1/documents/x{quote(odd)}")),
    "login": (
        "username",
        lambda http, odd, _: http.post("/login", data={"username": odd, "password": "p" * 12}),
    ),
    "thread page": ("q", lambda http, odd, _: http.post("/threads", data={"q": f"gout {odd}"})),
}


@pytest.mark.parametrize("odd", [SURROGATE, NUL, BELL])
@pytest.mark.parametrize("endpoint", list(JSON_BODIES))
def test_odd_text_in_a_json_body_is_a_422_naming_the_field(
    site: Site, thread_id: str, endpoint: str, odd: str
) -> None:
    field, send = JSON_BODIES[endpoint]
    with site.api() as http:
        error = assert_error(send(http, odd, thread_id), 422, "invalid_parameters")
    assert field in error["message"] and WHAT[odd] in error["message"]


@pytest.mark.parametrize("odd", [NUL, BELL])
@pytest.mark.parametrize("endpoint", list(URLS_AND_FORMS))
def test_odd_text_in_a_url_or_form_is_a_422_naming_the_field(
    site: Site, thread_id: str, endpoint: str, odd: str
) -> None:
    field, send = URLS_AND_FORMS[endpoint]
    with site.api() as http:
        error = assert_error(send(http, odd, thread_id), 422, "invalid_parameters")
    assert field in error["message"] and WHAT[odd] in error["message"]


def test_odd_text_deep_in_a_json_answer_is_refused_too(site: Site) -> None:
    answer = {"question": "gout", "sections": [{"statements": [{"text": f"bad {NUL} text"}]}]}
    with site.api("editor") as http:
        refused = http.post("/api/v1/articles", json={"answer": answer})
    error = assert_error(refused, 422, "invalid_parameters")
    assert "answer.sections.0.statements.0.text" in error["message"]


def test_ordinary_text_passes_including_tabs_newlines_and_c1_characters() -> None:
    # C1 characters occur in real corpus text (cp1252 quotes read as Latin-1).
    assert text_problem("Gout\tflares\r\nare \x94treated\x94 with colchicine — “quickly” ✓") is None
    assert (
        text_problem("a\x1fb")
        == "text must not contain the control character U+001F (at character 2)"
    )

"""What the OpenAPI document promises, and the refusals it documents, on a real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from librarysite import Site, database, library_site
from webtools import assert_error

from medcite.config import Settings, WebSettings
from medcite.web.app import create_app
from medcite.web.server import serve_in_thread


@pytest.fixture(scope="module")
def site(
    request: pytest.FixtureRequest, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with database("sqlite", request, tmp_path_factory.mktemp("schema")) as url:
        with library_site(built_home, url) as running:
            yield running


@pytest.fixture(scope="module")
def spec(site: Site) -> dict:
    with site.api() as http:
        return http.get("/openapi.json").json()


def body_schema(spec: dict, path: str) -> dict:
    ref = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return spec["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_questions_must_hold_a_word_and_bodies_say_which_fields_they_need(spec: dict) -> None:
    for path in ("/api/v1/answers", "/api/v1/threads/{thread_id}/answers"):
        question = body_schema(spec, path)["properties"]["question"]
        assert question["minLength"] == 1 and "\\s" in question["pattern"]
    search = spec["paths"]["/api/v1/search"]["get"]["parameters"]
    assert next(p for p in search if p["name"] == "q")["schema"]["minLength"] == 1
    verify = body_schema(spec, "/api/v1/verify")
    assert verify["oneOf"] == [{"required": ["text"]}, {"required": ["answer"]}]
    assert verify["properties"]["text"]["type"] == "string"  # not null
    draft = body_schema(spec, "/api/v1/articles")
    assert draft["anyOf"] == [{"required": ["answer"]}, {"required": ["question"]}]


def test_validated_values_are_enums_and_refusals_are_documented(spec: dict) -> None:
    listing = spec["paths"]["/api/v1/articles"]["get"]["parameters"]
    status = next(p for p in listing if p["name"] == "status")["schema"]
    assert {"approved", "draft", "retracted"} <= set(status["anyOf"][0]["enum"])
    for path in ("/api/v1/answers", "/api/v1/verify", "/api/v1/threads"):
        assert {"400", "413", "429", "503"} <= set(spec["paths"][path]["post"]["responses"])
    assert {"400", "429"} <= set(spec["paths"]["/api/v1/answers/stream"]["get"]["responses"])
    assert "429" in spec["paths"]["/api/v1/search"]["get"]["responses"]


INVALID_BODIES = [
    {"content": b'{"answer": 5, "nonsense": true}'},
    {"content": b'{"question": '},  # not even JSON
    {"content": b'{"question": "gout \\u0000"}'},  # refused text
]


@pytest.mark.parametrize("body", INVALID_BODIES)
def test_an_anonymous_write_is_refused_401_before_its_body_is_validated(
    site: Site, body: dict
) -> None:
    headers = {"content-type": "application/json"}
    with site.api() as anonymous, site.api("editor") as editor:
        for path in ("/api/v1/articles", "/api/v1/articles/1/transitions"):
            assert_error(anonymous.post(path, headers=headers, **body), 401, "unauthenticated")
            assert_error(editor.post(path, headers=headers, **body), 422, "invalid_parameters")
        bad_token = {"Authorization": "Bearer mct_not-a-token", **headers}
        assert_error(anonymous.post("/api/v1/articles", headers=bad_token, **body), 401)


def test_an_oversized_chunked_body_is_413(site: Site) -> None:
    limit = site.settings.web.max_request_bytes

    def chunks() -> Iterator[bytes]:  # no Content-Length: the size shows only while reading
        yield b'{"text": "'
        for _ in range(limit // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    with site.api() as http:
        response = http.post(
            "/api/v1/verify", content=chunks(), headers={"content-type": "application/json"}
        )
    assert "content-length" not in response.request.headers
    error = assert_error(response, 413, "request_too_large")
    assert f"{limit:,} bytes" in error["message"]


def test_searches_are_rate_limited_and_429s_say_when_to_retry(built_home: Path) -> None:
    tight = WebSettings(search_burst=2, searches_per_minute=1, answer_burst=1)
    with (
        serve_in_thread(create_app(Settings(home=built_home, web=tight))) as url,
        httpx.Client(base_url=url, timeout=60) as http,
    ):
        searches = [http.get("/api/v1/search", params={"q": "gout"}) for _ in range(3)]
        assert [r.status_code for r in searches[:2]] == [200, 200]
        assert http.post("/api/v1/answers", json={"question": "gout"}).status_code == 200
        answers = http.post("/api/v1/answers", json={"question": "gout"})
        for limited, what in ((searches[2], "searches"), (answers, "answers")):
            error = assert_error(limited, 429, "rate_limited")
            seconds = limited.headers["retry-after"]
            assert f"too many {what}" in error["message"]
            assert f"retry after {seconds} s" in error["message"] and int(seconds) >= 1

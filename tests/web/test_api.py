"""The JSON API over HTTP against a real uvicorn server on the fixture corpus."""

from __future__ import annotations

from pathlib import Path

import httpx
import jsonschema
import pytest
from fastapi import FastAPI
from webtools import MS_QUESTION, assert_error

from medcite.config import Settings, WebSettings
from medcite.service import Engine
from medcite.web.app import create_app
from medcite.web.server import serve_in_thread


def test_answer_follows_the_shared_schema(client: httpx.Client, answer_schema: dict) -> None:
    response = client.post("/api/v1/answers", json={"question": MS_QUESTION, "audience": "nurse"})
    assert response.status_code == 200, response.text
    answer = response.json()
    jsonschema.validate(answer, answer_schema)
    assert answer["audience"] == "nurse"
    assert answer["references"], "the fixture corpus covers MS: the answer must cite something"
    numbers = {ref["n"] for ref in answer["references"]}
    cited = set(answer["bottom_line"]["citations"])
    for section in answer["sections"]:
        for statement in section["statements"]:
            cited |= set(statement["citations"])
    assert cited <= numbers
    assert answer["review"]["status"] != "approved"
    assert answer["disclaimer"]


def test_answer_equals_the_library_call(client: httpx.Client, engine: Engine) -> None:
    over_http = client.post("/api/v1/answers", json={"question": MS_QUESTION}).json()
    direct = engine.answer(MS_QUESTION).to_dict()
    for key in ("question", "bottom_line", "sections", "references", "warnings"):
        assert over_http[key] == direct[key]


def test_history_reaches_the_engine(client: httpx.Client) -> None:
    body = {"question": "And its side effects?", "history": [MS_QUESTION, "In children?"]}
    answer = client.post("/api/v1/answers", json=body).json()
    assert answer["engine"]["thread_turns"] == 2


def test_search_returns_ranked_hits(client: httpx.Client) -> None:
    response = client.get("/api/v1/search", params={"q": "multiple sclerosis relapse", "k": 3})
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert [hit["rank"] for hit in hits] == [1, 2, 3]
    assert all("sclerosis" in (hit["title"] + hit["text"]).lower() for hit in hits)


def test_passage_and_document_are_stored_text(client: httpx.Client) -> None:
    hit = client.get("/api/v1/search", params={"q": "multiple sclerosis", "k": 1}).json()["hits"][0]
    passage = client.get(f"/api/v1/passages/{hit['passage_id']}").json()
    assert passage["text"] == hit["text"]
    document = client.get(f"/api/v1/documents/{hit['doc_id']}").json()
    assert document["doc_id"] == hit["doc_id"] == passage["document"]["doc_id"]
    assert document["text"][passage["start"] : passage["end"]] == passage["text"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code"),
    [
        ("post", "/api/v1/answers", {"json": {"question": "   "}}, 400, "bad_question"),
        ("post", "/api/v1/answers", {"json": {"question": "x" * 5000}}, 400, "bad_question"),
        ("post", "/api/v1/answers", {"json": {"question": "gout", "audience": "alien"}}, 422, None),
        ("post", "/api/v1/answers", {"json": {"history": []}}, 422, "invalid_parameters"),
        (
            "post",
            "/api/v1/answers",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            422,
            None,
        ),
        ("post", "/api/v1/answers", {"content": b"x" * 70_000}, 413, "request_too_large"),
        ("get", "/api/v1/search", {"params": {"q": "gout", "k": 0}}, 422, None),
        ("get", "/api/v1/search", {"params": {"q": ""}}, 400, "bad_question"),
        ("get", "/api/v1/documents/pmid:1", {}, 404, "not_found"),
        ("get", "/api/v1/passages/nope", {}, 404, "not_found"),
        ("get", "/api/v1/nothing-here", {}, 404, "not_found"),
        ("get", "/ask.json", {"params": {"q": ""}}, 400, "bad_question"),
        ("get", "/ask.json", {"params": {"q": "gout", "audience": "alien"}}, 422, None),
        ("get", "/ask.xml", {"params": {"q": "gout"}}, 422, "invalid_parameters"),
    ],
)
def test_errors_are_json_with_the_right_status(
    client: httpx.Client, method: str, path: str, kwargs: dict, status: int, code: str | None
) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert_error(response, status, code)


def test_security_headers_on_every_response(client: httpx.Client) -> None:
    for path in ("/", "/api/v1/passages/nope", "/static/medcite.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_healthz_openapi_and_docs(client: httpx.Client) -> None:
    assert client.get("/healthz").json()["ready"] is True
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/answers", "/api/v1/search", "/healthz"} <= set(spec["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert client.get("/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_status_counts_match_the_corpus(client: httpx.Client, engine: Engine) -> None:
    status = client.get("/api/v1/status").json()
    assert status["corpus"] == engine.status()["corpus"]
    assert "home" not in status


def test_rate_limit_answers_429(built_home: Path) -> None:
    tight = WebSettings(answers_per_minute=1, answer_burst=2)
    with serve_in_thread(create_app(Settings(home=built_home, web=tight))) as base_url:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            asks = [http.get("/ask.json", params={"q": "gout"}) for _ in range(2)]
            assert [r.status_code for r in asks] == [200, 200]
            limited = http.post("/api/v1/answers", json={"question": "gout"})
            assert_error(limited, 429, "rate_limited")
            assert int(limited.headers["retry-after"]) >= 1
            page = http.get("/ask", params={"q": "gout"}, headers={"accept": "text/html"})
            assert page.status_code == 429 and "Too many questions" in page.text
            assert http.get("/healthz").status_code == 200  # only answers are limited


@pytest.mark.anyio
async def test_empty_home_says_index_not_ready(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path / "empty"))
    async with _in_process(app) as http:
        assert_error(await http.get("/ask.json", params={"q": "gout"}), 503, "index_not_ready")
        assert (await http.get("/healthz")).json()["ready"] is False
        home = await http.get("/", headers={"accept": "text/html"})
        assert home.status_code == 200 and "corpus is empty" in home.text


@pytest.mark.anyio
async def test_unexpected_failure_is_a_json_503_not_a_traceback(tmp_path: Path) -> None:
    home = tmp_path / "broken"
    (home / "corpus.sqlite").mkdir(parents=True)  # a directory where the database should be
    async with _in_process(create_app(Settings(home=home))) as http:
        assert_error(await http.get("/api/v1/status"), 503, "internal_error")
        page = await http.get("/about", headers={"accept": "text/html"})
        assert page.status_code == 503 and "Traceback" not in page.text


def _in_process(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://medcite")


def test_verify_flags_a_contradicted_claim_and_supports_a_quoted_one(
    client: httpx.Client,
) -> None:
    answer = client.post("/api/v1/answers", json={"question": MS_QUESTION}).json()
    quoted = answer["bottom_line"]["text"]
    reference = next(
        r for r in answer["references"] if r["n"] == answer["bottom_line"]["citations"][0]
    )
    text = f"{quoted} [1]\n\nReferences\n1. {reference['title']}\n"
    checked = client.post("/api/v1/verify", json={"text": text, "format": "markdown"})
    assert checked.status_code == 200, checked.text
    statements = checked.json()["statements"]
    assert [s["label"] for s in statements] == ["supported"]
    assert statements[0]["evidence"][0]["quote"] in reference["text"]

    negated = dict(answer)
    negated["bottom_line"] = {**answer["bottom_line"], "text": "It is not true that " + quoted}
    report = client.post("/api/v1/verify", json={"answer": negated}).json()
    assert report["statements"][0]["label"] == "contradicted", report["statements"][0]
    assert report["verifier"]["heuristic"] is True


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 422),
        ({"text": "x", "answer": {}}, 422),
        ({"text": "short", "format": "text"}, 400),
        ({"answer": {"no": "statements"}}, 422),
    ],
)
def test_verify_rejects_bad_input_with_json_errors(
    client: httpx.Client, body: dict, status: int
) -> None:
    assert_error(client.post("/api/v1/verify", json=body), status)

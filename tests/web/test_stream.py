"""``GET /api/v1/answers/stream`` (server-sent events) against real uvicorn servers.

Without an LLM the stream is one verified ``answer`` event; with a real llama.cpp server
(SmolLM2-135M, marker ``llm``) the model's draft arrives as ``delta`` events first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from playwright.sync_api import Page, expect
from webtools import assert_error

from medcite.config import Settings, WebSettings
from medcite.web.app import ANSWER_PATHS, create_app
from medcite.web.recent import RecentAnswers
from medcite.web.server import serve_in_thread
from medcite.web.stream import STREAM_PATH
from services import LlamaServer, llama_server, smollm2_gguf

QUESTION = "What are the symptoms of multiple sclerosis?"


def read_events(response: httpx.Response) -> list[tuple[str, Any]]:
    """The (event, data) pairs of a ``text/event-stream`` response, in order."""
    assert response.status_code == 200, response.read()
    assert response.headers["content-type"].startswith("text/event-stream")
    text = "".join(response.iter_text())  # chunks may split or join events
    parsed = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        parsed.append((fields["event"], json.loads(fields["data"])))
    return parsed


def stream(client: httpx.Client, **params: Any) -> list[tuple[str, Any]]:
    with client.stream("GET", STREAM_PATH, params=params) as response:
        return read_events(response)


def generated_tokens(llm: LlamaServer) -> int:
    """How many tokens the llama.cpp server has generated so far (its /metrics counter): it
    grows with every completion, so an unchanged count means no new generation."""
    metrics = httpx.get(llm.url.removesuffix("/v1") + "/metrics", timeout=10).text
    found = re.search(r"^llamacpp:tokens_predicted_total (\S+)$", metrics, re.MULTILINE)
    assert found, f"no token counter in /metrics: {metrics[:200]}"
    return int(float(found.group(1)))


def assert_verified_answer(answer: dict, answer_schema: dict, question: str) -> None:
    jsonschema.validate(answer, answer_schema)
    assert answer["question"] == question and answer["disclaimer"]
    numbers = {ref["n"] for ref in answer["references"]}
    statements = [answer["bottom_line"]]
    statements += [s for section in answer["sections"] for s in section["statements"]]
    for statement in statements:
        assert set(statement["citations"]) <= numbers, statement


def test_without_llm_one_extractive_answer_event(client: httpx.Client, answer_schema: dict) -> None:
    events = stream(client, q=QUESTION, audience="patient")
    assert [kind for kind, _ in events] == ["answer"]
    answer = events[0][1]
    assert_verified_answer(answer, answer_schema, QUESTION)
    assert answer["audience"] == "patient" and answer["engine"]["composer"] == "extractive"
    assert answer["references"], "the fixture corpus answers this question"


def test_bad_question_is_a_json_400_before_streaming(client: httpx.Client) -> None:
    assert_error(client.get(STREAM_PATH, params={"q": "   "}), 400, "bad_question")
    assert_error(client.get(STREAM_PATH, params={"q": "gout", "audience": "cat"}), 422)


def test_stream_is_rate_limited(built_home: Path) -> None:
    assert STREAM_PATH in ANSWER_PATHS
    tight = WebSettings(answers_per_minute=1, answer_burst=1)
    with serve_in_thread(create_app(Settings(home=built_home, web=tight))) as base_url:
        with httpx.Client(base_url=base_url, timeout=60) as http:
            assert [kind for kind, _ in stream(http, q="gout")] == ["answer"]
            assert_error(http.get(STREAM_PATH, params={"q": "gout"}), 429, "rate_limited")


def test_home_form_streams_only_when_an_llm_is_configured(client: httpx.Client) -> None:
    assert "data-stream" not in client.get("/", headers={"accept": "text/html"}).text


def test_recent_answers_expire_and_stay_bounded() -> None:
    recent = RecentAnswers(size=2, ttl=60.0)
    for n in range(3):
        recent.put((f"q{n}", "patient", ()), {"n": n})
    assert recent.get(("q0", "patient", ())) is None  # pushed out by newer answers
    assert recent.get(("q2", "patient", ())) == {"n": 2}
    assert recent.get(("q2", "clinician", ())) is None
    expired = RecentAnswers(ttl=0.0)
    expired.put(("q", "patient", ()), {"n": 0})
    assert expired.get(("q", "patient", ())) is None


@pytest.fixture(scope="module")
def llm_site(web_settings: Settings) -> Iterator[tuple[str, LlamaServer]]:
    """A real uvicorn whose answers are written by a real llama.cpp server (SmolLM2-135M)."""
    with llama_server(smollm2_gguf()) as llm:
        # Small enough for a 135M model on 2 cores to answer in seconds (as tests/compose).
        section = {
            "base_url": llm.url,
            "model": "smollm2",
            "max_tokens": 400,
            "context_passages": 5,
        }
        settings = Settings(home=web_settings.home, web=web_settings.web, llm=section)
        with serve_in_thread(create_app(settings)) as base_url:
            yield base_url, llm


@pytest.mark.llm
def test_with_llm_deltas_then_the_verified_answer(
    llm_site: tuple[str, LlamaServer], answer_schema: dict
) -> None:
    base_url, llm = llm_site
    with httpx.Client(base_url=base_url, timeout=180) as http:
        events = stream(http, q=QUESTION, audience="patient")
        generations = generated_tokens(llm)
        # The page opened next shows the streamed answer without asking the model again.
        page = http.get("/ask", params={"q": QUESTION, "audience": "patient"})
        assert page.status_code == 200 and "article" in page.text
        assert generated_tokens(llm) == generations > 0
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "delta" and kinds[-1] == "answer" and kinds.count("answer") == 1
    assert set(kinds) <= {"delta", "fallback", "answer"}
    assert all(isinstance(data["text"], str) for kind, data in events if kind == "delta")
    answer = events[-1][1]
    assert_verified_answer(answer, answer_schema, QUESTION)
    assert answer["engine"]["composer"] == "llm" or "fallback" in kinds


@pytest.mark.llm
@pytest.mark.browser
def test_page_shows_the_draft_then_the_verified_answer(
    llm_site: tuple[str, LlamaServer], page: Page
) -> None:
    page.goto(llm_site[0] + "/")
    page.fill("#q", QUESTION)
    page.click("form.search button[type=submit]")
    draft = page.locator("#draft")
    expect(draft).to_be_visible(timeout=60_000)
    expect(draft).to_have_attribute("aria-live", "polite")
    expect(draft.locator("h2")).to_have_text(re.compile("Writing… \\(not yet verified\\)"))
    expect(draft.locator(".draft-text")).not_to_be_empty(timeout=120_000)
    article = page.locator("article.answer")
    expect(article).to_be_visible(timeout=180_000)
    expect(draft).to_have_count(0)
    expect(article.locator("h1")).to_have_text(QUESTION)
    assert article.locator("a.cite").count() > 0
    assert "/ask?" in page.url

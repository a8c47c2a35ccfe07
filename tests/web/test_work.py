"""Expensive requests cannot stall the server (real uvicorn, the fixture corpus).

Nothing here times the engine: each test orders events (a probe answered while a slow
verification is still in flight) or checks a refusal's status and headers.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from webtools import MS_QUESTION, assert_error

from medcite.config import LLMSettings, Settings, WebSettings
from medcite.service import Engine
from medcite.web.app import create_app
from medcite.web.server import serve_in_thread

ROOMY = {"answers_per_minute": 100_000, "answer_burst": 10_000}
SLOW_STATEMENTS = 450  # uncited: each is searched and verified, seconds in all


@pytest.fixture(scope="module")
def slow_text(built_home: Path) -> str:
    """Plain text of SLOW_STATEMENTS corpus sentences, under the 64 KiB body limit."""
    with Engine(Settings(home=built_home)) as engine:
        hits = engine.search("multiple sclerosis treatment relapse", k=100)
    sentences = [
        sentence.strip().rstrip(".") + "."
        for hit in hits
        for sentence in hit.passage.text.split(". ")
        if len(sentence.split()) > 6
    ]
    text = "\n\n".join((sentences * (1 + SLOW_STATEMENTS // len(sentences)))[:SLOW_STATEMENTS])
    assert len(text.encode()) < 64 * 1024
    return text


@contextmanager
def site(home: Path, **web: object) -> Iterator[httpx.Client]:
    settings = Settings(
        home=home, web=WebSettings(**{**ROOMY, "verify_max_statements": 1000, **web})
    )
    with (
        serve_in_thread(create_app(settings)) as url,
        httpx.Client(base_url=url, timeout=120) as http,
    ):
        yield http


class InFlight:
    """One request in a background thread: ``done`` once it has its response."""

    def __init__(self, send: Callable[[], httpx.Response]) -> None:
        self.response: httpx.Response | httpx.HTTPError | None = None
        self.done = threading.Event()

        def run() -> None:
            try:
                self.response = send()
            except httpx.HTTPError as exc:  # e.g. the test failed and closed the client
                self.response = exc
            self.done.set()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def result(self) -> httpx.Response:
        self.thread.join(timeout=300)
        assert isinstance(self.response, httpx.Response), self.response
        return self.response


def verify_in_flight(http: httpx.Client, text: str) -> InFlight:
    return InFlight(lambda: http.post("/api/v1/verify", json={"text": text, "format": "text"}))


def wait_until_running(http: httpx.Client, pool: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while http.get("/healthz").json()["work"][pool]["running"] < count:
        assert time.monotonic() < deadline, "the requests never started"
        time.sleep(0.02)


def test_healthz_status_and_reads_answer_while_slow_verifications_run(
    built_home: Path, slow_text: str
) -> None:
    with site(built_home, workers=2) as http:
        slow = [verify_in_flight(http, slow_text) for _ in range(2)]
        wait_until_running(http, "verifications", 2)
        probes = []
        for _ in range(5):
            started = time.perf_counter()
            health = http.get("/healthz")
            probes.append(time.perf_counter() - started)
            assert health.json()["ready"] is True
        assert http.get("/api/v1/status").status_code == 200
        hit = http.get("/api/v1/search", params={"q": "interferon beta"}).json()["hits"][0]
        assert http.get(f"/api/v1/passages/{hit['passage_id']}").status_code == 200
        assert not any(request.done.is_set() for request in slow), "answered after, not during"
        assert max(probes) < 1.0, probes
        assert [request.result().status_code for request in slow] == [200, 200]


def test_a_full_pool_refuses_at_once_with_retry_after(built_home: Path, slow_text: str) -> None:
    with site(built_home, workers=1, queue=0) as http:
        slow = verify_in_flight(http, slow_text)
        wait_until_running(http, "verifications", 1)
        refused = http.post("/api/v1/verify", json={"text": "Interferon beta reduces relapses."})
        answered = http.post("/api/v1/answers", json={"question": MS_QUESTION})
        assert not slow.done.is_set()
        error = assert_error(refused, 503, "busy")
        assert int(refused.headers["retry-after"]) >= 1 and "retry after" in error["message"]
        assert answered.status_code == 200  # answers have their own pool
        assert slow.result().status_code == 200
        assert http.post("/api/v1/verify", json={"text": slow_text[:500]}).status_code == 200


def test_a_request_past_its_deadline_gets_503_and_frees_its_client(
    built_home: Path, slow_text: str
) -> None:
    with site(built_home, workers=1, deadline_seconds=1) as http:
        started = time.monotonic()
        late = http.post("/api/v1/verify", json={"text": slow_text, "format": "text"})
        waited = time.monotonic() - started
        error = assert_error(late, 503, "deadline_exceeded")
        assert "longer than 1 s" in error["message"] and int(late.headers["retry-after"]) >= 1
        assert waited >= 1.0
        assert http.get("/healthz").json()["work"]["verifications"]["workers"] == 1


def test_verify_refuses_more_statements_than_its_cap_saying_the_cap(built_home: Path) -> None:
    text = "\n\n".join(f"Interferon beta reduces relapse number {i} in adults." for i in range(6))
    with site(built_home, verify_max_statements=5) as http:
        refused = http.post("/api/v1/verify", json={"text": text, "format": "text"})
        error = assert_error(refused, 413, "request_too_large")
        assert "6 statements" in error["message"] and "at most 5" in error["message"]
        allowed = http.post("/api/v1/verify", json={"text": text.rsplit("\n\n", 1)[0]})
        assert allowed.status_code == 200, allowed.text


def test_a_verification_costs_tokens_by_its_statements(built_home: Path) -> None:
    six = "\n\n".join(f"Interferon beta reduces relapse number {i} in adults." for i in range(6))
    body = {"text": six, "format": "text"}
    tight = {"answers_per_minute": 1, "answer_burst": 4, "verify_statements_per_token": 2}
    with site(built_home, **tight) as http:
        assert http.post("/api/v1/verify", json=body).status_code == 200  # 3 of 4 tokens
        refused = http.post("/api/v1/verify", json=body)  # 1 on arrival, then 2 more lacking
        error = assert_error(refused, 429, "rate_limited")
        assert f"retry after {refused.headers['retry-after']} s" in error["message"]


class HungModelServer:
    """A TCP server that accepts connections and never answers, until :meth:`close`."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/v1"
        self.held: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                self.held.append(self.listener.accept()[0])
            except TimeoutError:
                continue

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for connection in self.held:
            connection.close()
        self.listener.close()


def test_an_answer_waiting_on_a_hung_model_server_blocks_no_one(built_home: Path) -> None:
    hung = HungModelServer()
    settings = Settings(
        home=built_home,
        web=WebSettings(**ROOMY, workers=2),
        llm=LLMSettings(base_url=hung.url, timeout=30),
    )
    try:
        with (
            serve_in_thread(create_app(settings)) as url,
            httpx.Client(base_url=url, timeout=120) as http,
        ):
            waiting = InFlight(lambda: http.post("/api/v1/answers", json={"question": MS_QUESTION}))
            wait_until_running(http, "answers", 1)
            checked = http.post(
                "/api/v1/verify", json={"text": "Interferon beta reduces relapses in MS."}
            )
            assert checked.status_code == 200, checked.text
            assert http.get("/api/v1/search", params={"q": "gout"}).status_code == 200
            assert not waiting.done.is_set(), "the model server was supposed to hang"
            hung.close()  # the answer falls back to the extractive composer
            answer = waiting.result()
            assert answer.status_code == 200, answer.text
            assert answer.json()["engine"]["composer"].startswith("extractive (fallback")
    finally:
        hung.close()

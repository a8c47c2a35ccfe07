"""The LLM composer against a real OpenAI-compatible server (llama.cpp, SmolLM2-135M-Instruct).

The tiny model writes poor medicine on purpose: what is asserted is that whatever it writes,
medcite keeps only statements that the verifier finds supported by the passages they cite,
that citation numbers always name a reference, and that every failure falls back cleanly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from medcite.compose.chat import ChatClient, ChatReply
from medcite.compose.draft import UnparseableOutput, parse_draft
from medcite.compose.prompts import build_prompt
from medcite.config import Settings
from medcite.service import Engine
from medcite.testing.composer_contract import assert_citations_resolve, statements
from medcite.verify.base import PARTIAL, SUPPORTED
from services import free_port, llama_server, smollm2_gguf

pytestmark = pytest.mark.llm

QUESTIONS = [
    ("What are the treatment options for multiple sclerosis?", "clinician"),
    ("What are the symptoms of multiple sclerosis?", "patient"),
    ("What causes multiple sclerosis?", "student"),
    ("Is vitamin D associated with multiple sclerosis?", "nurse"),
]


def _ask(settings: Settings, question: str, audience: str = "clinician") -> dict[str, Any]:
    with Engine(settings) as engine:
        return engine.answer(question, audience=audience, composer="llm").to_dict()


def _assert_fell_back(answer: dict[str, Any], answer_schema: dict, reason: str) -> None:
    jsonschema.validate(answer, answer_schema)
    assert answer["engine"]["composer"].startswith("extractive (fallback: llm")
    assert reason in answer["engine"]["fallback"]["reason"]
    assert answer["warnings"][0].startswith("The LLM composer failed")
    assert answer["disclaimer"] and answer["review"]["status"] == "draft"


def test_only_verified_correctly_cited_statements_survive(
    llm_server, llm_settings, answer_schema: dict
) -> None:
    settings = llm_settings(llm_server.url)
    generated = kept = 0
    with Engine(settings) as engine:
        for question, audience in QUESTIONS[:3]:
            answer = engine.answer(question, audience=audience, composer="llm")
            data = answer.to_dict()
            jsonschema.validate(data, answer_schema)
            assert data["disclaimer"] and data["review"]["status"] == "draft"
            if data["engine"]["composer"] != "llm":
                assert "fallback" in data["engine"]
                continue
            counts = data["engine"]["statements"]
            generated += counts["generated"]
            kept += counts["kept"]
            assert counts["kept"] == len(statements(answer))
            assert counts["dropped"] == sum(w.startswith("Dropped") for w in data["warnings"])
            hits = engine.search(question, k=engine.settings.compose.retrieve_k)
            assert_citations_resolve(answer, hits)
            references = {r.n: r for r in answer.references}
            for statement in statements(answer):
                assert statement.citations, statement.text
                assert statement.support in (SUPPORTED, PARTIAL)
                for n in statement.citations:  # each citation alone supports the statement
                    cited = list(references[n].cited_by(statement))
                    verdict = engine.verifier.verify(statement.text, cited)
                    assert verdict.label in (SUPPORTED, PARTIAL), (statement.text, n)
            timings = data["engine"]["timings_ms"]
            assert {"retrieve", "generate", "verify", "compose", "total"} <= set(timings)
            assert timings["total"] >= timings["generate"] > 0
            assert data["engine"]["tokens"]["completion_tokens"] > 0
            assert data["engine"]["prompt"]["id"].endswith(f"/{answer.intent}/{audience}")
    assert generated > 0, "the model wrote no statement at all in any answer"
    print(f"kept {kept} of {generated} generated statements")


def test_free_text_output_cannot_invent_citations(
    llm_server, llm_settings, answer_schema: dict
) -> None:
    """Without a JSON schema the model may cite any number; none may reach the answer."""
    settings = llm_settings(llm_server.url, response_format="none")
    with Engine(settings) as engine:
        for question, audience in QUESTIONS[2:]:
            answer = engine.answer(question, audience=audience, composer="llm")
            jsonschema.validate(answer.to_dict(), answer_schema)
            numbers = {r.n for r in answer.references}
            assert {n for s in statements(answer) for n in s.citations} <= numbers


def test_parser_on_real_free_text_replies(llm_server, llm_settings, engine: Engine) -> None:
    """Replies written without a schema either parse to a draft or raise UnparseableOutput."""
    settings = llm_settings(llm_server.url, response_format="none", max_tokens=120).llm
    outcomes = []
    for question, audience in QUESTIONS[:2]:
        hits = engine.search(question, k=4)
        prompt = build_prompt(
            question, hits, intent="treatment", audience=audience, version="v1", passage_chars=600
        )
        reply = ChatReply()
        with ChatClient(settings) as client:
            streamed = "".join(client.stream(prompt.messages, schema=prompt.schema, reply=reply))
        assert streamed == reply.text and reply.response_format == "none"
        try:
            draft = parse_draft(reply.text)
        except UnparseableOutput as exc:
            outcomes.append(f"unparseable: {exc}")
            continue
        assert all(s.text for s in draft.statements())
        outcomes.append("parsed")
    assert len(outcomes) == 2


def test_truncated_output_falls_back(llm_server, llm_settings, answer_schema: dict) -> None:
    answer = _ask(llm_settings(llm_server.url, max_tokens=16), QUESTIONS[0][0])
    _assert_fell_back(answer, answer_schema, "unparseable output")
    assert answer["engine"]["llm"]["finish_reason"] == "length"


def test_closed_port_falls_back(llm_settings, answer_schema: dict) -> None:
    answer = _ask(llm_settings(f"http://127.0.0.1:{free_port()}/v1"), QUESTIONS[0][0])
    _assert_fell_back(answer, answer_schema, "connection failed")
    assert answer["references"] and answer["sections"]  # the extractive answer is all there


def test_timeout_falls_back(llm_server, llm_settings, answer_schema: dict) -> None:
    answer = _ask(llm_settings(llm_server.url, timeout=0.05), QUESTIONS[1][0])
    _assert_fell_back(answer, answer_schema, "timeout")


def test_server_killed_mid_answer_falls_back(
    llm_settings: Callable[..., Settings], answer_schema: dict
) -> None:
    with llama_server(smollm2_gguf()) as server, Engine(llm_settings(server.url)) as engine:
        events = []
        for event in engine.answer_events(QUESTIONS[0][0]):
            events.append(event)
            if event["type"] == "delta" and server.process.poll() is None:
                server.process.kill()  # the model is writing: pull the plug
                server.process.wait()
    kinds = [e["type"] for e in events]
    assert kinds[0] == "delta" and kinds[-1] == "answer" and "fallback" in kinds
    answer = events[-1]["answer"].to_dict()
    reason = answer["engine"]["fallback"]["reason"]
    assert next(e for e in events if e["type"] == "fallback")["reason"] == reason
    _assert_fell_back(answer, answer_schema, "")


def test_stream_yields_deltas_then_the_verified_answer(llm_server, llm_settings) -> None:
    with Engine(llm_settings(llm_server.url)) as engine:
        events = list(engine.answer_events(QUESTIONS[1][0], audience="patient"))
    kinds = [e["type"] for e in events]
    assert kinds.count("answer") == 1 and kinds[-1] == "answer"
    assert kinds[0] == "delta" and kinds.count("delta") > 1
    written = "".join(e["text"] for e in events if e["type"] == "delta")
    answer = events[-1]["answer"].to_dict()
    json.dumps(answer)  # plain data, ready for server-sent events
    if answer["engine"]["composer"] == "llm":  # what survived was written by the model
        texts = [answer["bottom_line"]["text"]]
        texts += [s["text"] for sec in answer["sections"] for s in sec["statements"]]
        assert all(" ".join(t.split()) in " ".join(written.split()) for t in texts)


def test_api_key_is_sent_and_never_shown(
    llm_settings, answer_schema: dict, caplog: pytest.LogCaptureFixture
) -> None:
    key = "sk-medcite-test-0123456789"
    with llama_server(smollm2_gguf(), api_key=key) as server:
        refused = _ask(llm_settings(server.url, api_key="sk-wrong-key"), QUESTIONS[1][0])
        _assert_fell_back(refused, answer_schema, "request refused 401")
        settings = llm_settings(server.url, api_key=key)
        answer = _ask(settings, QUESTIONS[1][0])
    assert "401" not in json.dumps(answer["engine"].get("fallback", {}))
    shown = [json.dumps(refused), json.dumps(answer), repr(settings), str(settings.llm)]
    shown += [settings.model_dump_json(), caplog.text]
    assert not any(key in text for text in shown)

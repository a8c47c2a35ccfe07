"""LLM composer parts that need no model: settings, prompts, the draft parser, composer choice,
and the CLI falling back when the configured endpoint is down (a closed local port)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.compose.draft import UnparseableOutput, parse_draft, readable_text
from medcite.compose.extractive import ExtractiveComposer
from medcite.compose.llm import LLMComposer, LLMNotConfigured
from medcite.compose.prompts import PromptNotFound, build_prompt, versions
from medcite.config import AUDIENCES, Settings
from medcite.question.intent import TEMPLATES
from medcite.service import Engine
from services import free_port

KEY = "sk-never-shown-42"


def test_plain_env_names_configure_the_llm(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("MEDCITE_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("MEDCITE_LLM_MODEL", "qwen2.5-7b")
    monkeypatch.setenv("MEDCITE_LLM_API_KEY", KEY)
    monkeypatch.setenv("MEDCITE_LLM__TIMEOUT", "7.5")
    settings = Settings(home=tmp_path)
    assert settings.llm.base_url == "http://127.0.0.1:9/v1"
    assert settings.llm.model == "qwen2.5-7b"
    assert settings.llm.api_key is not None and settings.llm.api_key.get_secret_value() == KEY
    assert settings.llm.timeout == 7.5
    for shown in (repr(settings), str(settings.llm), settings.model_dump_json()):
        assert KEY not in shown
    # Explicit arguments still win over the environment.
    assert Settings(home=tmp_path, llm={"model": "other"}).llm.model == "other"


def test_llm_is_off_unless_configured(built_home: Path) -> None:
    with Engine(Settings(home=built_home)) as engine:
        assert engine.composer(None).name == "extractive"
        with pytest.raises(LLMNotConfigured, match="MEDCITE_LLM_BASE_URL"):
            engine.ask("What is multiple sclerosis?", composer="llm")
    configured = Settings(home=built_home, llm={"base_url": "http://127.0.0.1:9/v1"})
    with Engine(configured) as engine:
        assert isinstance(engine.composer(None), LLMComposer)
        assert engine.composer("extractive").name == "extractive"


def test_every_intent_and_audience_has_a_prompt() -> None:
    assert "v1" in versions()
    seen = set()
    for intent in TEMPLATES:
        for audience in AUDIENCES:
            prompt = build_prompt(
                "Q?", [], intent=intent, audience=audience, version="v1", passage_chars=500
            )
            kinds = prompt.schema["properties"]["sections"]["items"]["properties"]["kind"]["enum"]
            assert kinds == [spec.kind for spec in TEMPLATES[intent]]
            assert all(kind in prompt.messages[0]["content"] for kind in kinds)
            assert prompt.describe()["id"] == f"medcite-answer/v1/{intent}/{audience}"
            seen.add(prompt.sha256)
    assert len(seen) == len(TEMPLATES) * len(AUDIENCES)  # each pair reads different files
    with pytest.raises(PromptNotFound, match="available: v1"):
        build_prompt("Q?", [], intent="cause", audience="nurse", version="v0", passage_chars=500)


def test_prompt_numbers_passages_and_schema_allows_only_their_numbers(engine: Engine) -> None:
    hits = engine.search("multiple sclerosis treatment", k=3)
    prompt = build_prompt(
        "How is MS treated?",
        hits,
        intent="treatment",
        audience="clinician",
        version="v1",
        passage_chars=80,
    )
    user = prompt.messages[1]["content"]
    assert [f"[{n}] {h.document.title}" in user for n, h in enumerate(hits, 1)] == [True] * 3
    statement = prompt.schema["properties"]["bottom_line"]
    citation = statement["properties"]["citations"]["items"]
    assert citation["enum"] == [1, 2, 3]
    jsonschema.validate(
        {"bottom_line": {"text": "x", "citations": [3]}, "sections": []}, prompt.schema
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"bottom_line": {"text": "x", "citations": [4]}, "sections": []}, prompt.schema
        )


def test_parser_reads_lenient_shapes() -> None:
    body = {
        "bottom_line": "Interferon beta reduces relapses [1, 3].",
        "sections": [
            {"kind": "first_line", "statements": [{"text": "A [2]", "citations": ["4"]}, 7]},
            {"kind": "pitfalls", "statements": []},
        ],
    }
    draft = parse_draft(f"Here you go:\n```json\n{json.dumps(body)}\n```\nThanks")
    assert draft.bottom_line.text == "Interferon beta reduces relapses."
    assert draft.bottom_line.citations == [1, 3]
    assert [(s.text, s.citations) for s in draft.sections[0].statements] == [("A", [4, 2])]
    assert len(draft.sections) == 1  # the empty section is gone
    for bad in ("I think MS is treated with rest.", json.dumps(body)[:60], "[1, 2]", "{}"):
        with pytest.raises(UnparseableOutput):
            parse_draft(bad)


def test_readable_text_only_grows() -> None:
    reply = json.dumps(
        {
            "bottom_line": {"text": 'Caf\u00e9 "quoted" text', "citations": [1]},
            "sections": [{"kind": "x", "statements": [{"text": "Second.", "citations": [2]}]}],
        }
    )
    shown = ""
    for end in range(len(reply) + 1):
        now = readable_text(reply[:end])
        assert now.startswith(shown)
        shown = now
    assert shown == 'Caf\u00e9 "quoted" text\nSecond.\n'


def test_cli_llm_composer_falls_back_when_endpoint_is_down(
    built_home: Path, answer_schema: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    args = ["ask", "What is multiple sclerosis?", "--home", str(built_home)]
    refused = runner.invoke(app, [*args, "--composer", "llm"])
    assert refused.exit_code == 2 and "MEDCITE_LLM_BASE_URL" in refused.output

    monkeypatch.setenv("MEDCITE_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("MEDCITE_LLM_API_KEY", KEY)
    result = runner.invoke(app, [*args, "--composer", "llm", "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    jsonschema.validate(answer, answer_schema)
    assert answer["engine"]["fallback"]["reason"].startswith("connection failed")
    assert KEY not in result.output
    extractive = runner.invoke(app, [*args, "--composer", "extractive", "--format", "json"])
    assert json.loads(extractive.stdout)["engine"]["composer"] == "extractive"


def test_composer_without_hits_falls_back_to_insufficient_evidence() -> None:
    settings = Settings(llm={"base_url": f"http://127.0.0.1:{free_port()}/v1"})
    from medcite.verify.heuristic import HeuristicVerifier

    composer = LLMComposer(settings.llm, HeuristicVerifier(), fallback=ExtractiveComposer())
    answer = composer.compose("What is the treatment for gout?", [])
    assert answer.insufficient_evidence and answer.references == []
    assert "no passage was retrieved" in answer.engine["fallback"]["reason"]

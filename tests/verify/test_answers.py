"""Answers from the fixture corpus come out labelled, with per-citation evidence, and valid."""

from __future__ import annotations

import jsonschema

from medcite.service import Engine
from medcite.verify.answers import verify_answer
from medcite.verify.base import LABELS

QUESTION = "What are the treatment options for multiple sclerosis?"


def statements(answer_dict: dict) -> list[dict]:
    return [answer_dict["bottom_line"]] + [
        s for section in answer_dict["sections"] for s in section["statements"]
    ]


def test_extractive_answer_is_labelled_supported_and_valid(
    engine: Engine, answer_schema: dict
) -> None:
    answer = engine.answer(QUESTION).to_dict()
    jsonschema.validate(answer, answer_schema)
    cited = [s for s in statements(answer) if s["citations"]]
    assert cited
    for statement in cited:
        assert statement["label"] in LABELS and statement["reasons"]
        assert list(dict.fromkeys(e["n"] for e in statement["evidence"])) == statement["citations"]
        assert all(e["label"] in LABELS for e in statement["evidence"])
    # the extractive composer quotes its sources verbatim
    assert all(s["label"] == "supported" for s in cited)
    # one reference per source: each evidence entry names the passage of it that it quotes
    references = {
        r["n"]: {p["passage_id"]: p["text"] for p in r["passages"]} for r in answer["references"]
    }
    for statement in cited:
        for evidence in statement["evidence"]:
            text = references[evidence["n"]][evidence["passage_id"]]
            assert text[evidence["start"] : evidence["end"]] == evidence["quote"]
    verifier = answer["engine"]["verifier"]
    assert verifier["heuristic"] is True and "heuristic" in verifier["note"]
    assert answer["engine"]["timings_ms"]["verify"] >= 0
    for conflict in answer["conflicts"]:
        assert conflict["kind"] and set(conflict["references"]) <= set(references)


def test_a_statement_its_source_contradicts_is_labelled_and_warned(engine: Engine) -> None:
    answer = engine.answer(QUESTION)
    original = answer.bottom_line.text
    answer.bottom_line.text = "It is not true that " + original[0].lower() + original[1:]
    answer.warnings.clear()
    verify_answer(answer, engine.verifier)
    bottom = answer.to_dict()["bottom_line"]
    assert bottom["label"] == "contradicted"
    assert bottom["support"] == "unsupported"  # the schema enum has no "contradicted"
    assert any("contradicted" in w and "not true" in w for w in answer.warnings)
    assert any(c["kind"] == "statement" for c in answer.conflicts)

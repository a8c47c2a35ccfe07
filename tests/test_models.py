"""``Answer.from_dict`` reads back exactly what ``to_dict`` wrote, for every stored shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from medcite.config import Settings
from medcite.library import Actor, Library
from medcite.models import Answer, Evidence, Reference, Statement
from medcite.service import Engine
from medcite.verify.answers import verify_answer

QUESTION = "What are the treatment options for multiple sclerosis?"


def assert_round_trips(data: dict[str, Any]) -> Answer:
    answer = Answer.from_dict(data)
    again = answer.to_dict()
    assert again == data
    assert json.dumps(again, sort_keys=True) == json.dumps(data, sort_keys=True)
    return answer


def test_an_extractive_answer_round_trips(engine: Engine, answer_schema: dict) -> None:
    data = engine.answer(QUESTION, live=True).to_dict()
    jsonschema.validate(data, answer_schema)
    assert data["references"] and data["related_questions"]
    assert_round_trips(data)


def test_an_answer_with_conflicts_round_trips(engine: Engine) -> None:
    answer = engine.answer(QUESTION, live=True)
    original = answer.bottom_line.text
    answer.bottom_line.text = "It is not true that " + original[0].lower() + original[1:]
    verify_answer(answer, engine.verifier)
    data = answer.to_dict()
    assert data["conflicts"] and data["bottom_line"]["label"] == "contradicted"
    assert_round_trips(data)


def test_an_llm_style_answer_round_trips(engine: Engine) -> None:
    """What the LLM composer stores: its engine block, a fallback, paraphrased statements with
    unlabelled evidence and one statement nobody checked."""
    answer = engine.answer(QUESTION, live=True, audience="patient")
    answer.engine.update(
        composer="extractive (fallback: llm timed out)",
        fallback={"from": "llm", "reason": "timed out"},
        prompt={"id": "answer-v3", "tokens": {"prompt": 812, "completion": 240}},
        statements={"kept": 4, "dropped": [{"text": "x", "reason": "unsupported"}]},
    )
    statement = answer.sections[0].statements[0]
    statement.evidence = [Evidence(1, "a quote", 0.51234, "p1", 3, 10)]
    answer.sections[0].statements.append(Statement("Not checked.", [], "not_checked"))
    answer.insufficient_evidence, answer.answering = True, None
    data = answer.to_dict()
    assert data["audience_notes"] and "label" not in data["sections"][0]["statements"][-1]
    read = assert_round_trips(data)
    assert read.sections[0].statements[0].evidence[0].label is None


def test_the_approved_article_round_trips(engine: Engine, tmp_path: Path) -> None:
    live = engine.answer(QUESTION, live=True).to_dict()
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'lib.sqlite'}")
    with Library(settings, corpus=engine.store) as library:  # the corpus the answer cites
        system = Actor.system("tests")
        editor = library.local_actor(library.add_user(system, "ed", "editor").username)
        reviewer = library.local_actor(library.add_user(system, "rev", "reviewer").username)
        article = library.create_draft(editor, answer=live)
        for actor, to in [
            (editor, "submitted"),
            (reviewer, "under_review"),
            (reviewer, "approved"),
        ]:
            library.transition(actor, article.id, to, version=1)
        approved = library.approved_answer(QUESTION, "clinician")
    assert approved is not None and approved["review"]["status"] == "approved"
    assert_round_trips(approved)


def test_from_dict_copies_and_reads_a_minimal_schema_answer(answer_schema: dict) -> None:
    data: dict[str, Any] = {
        "question": "q?",
        "audience": "clinician",
        "bottom_line": {"text": "A [1].", "citations": [1], "support": "supported"},
        "sections": [{"title": "T", "statements": []}],
        "references": [
            {"n": 1, "doc_id": "d:1", "passage_id": "p", "title": "t", "source": "s", "text": "A"}
        ],
        "conflicts": [],
        "warnings": [],
        "generated_at": "2025-01-01T00:00:00+00:00",
        "engine": {"composer": "elsewhere"},
    }
    jsonschema.validate(data, answer_schema)
    answer = Answer.from_dict(data)
    answer.engine["changed"] = True
    assert "changed" not in data["engine"]
    written = answer.to_dict()
    jsonschema.validate(written, answer_schema)
    assert written["references"][0]["text"] == "A" and written["review"] is None


def test_from_dict_refuses_a_dict_without_required_fields() -> None:
    with pytest.raises(KeyError):
        Answer.from_dict({"question": "q?"})


def test_references_by_source_round_trip_with_their_passages_and_dates(engine: Engine) -> None:
    data = engine.answer(QUESTION, live=True).to_dict()
    several = next(r for r in data["references"] if len(r["passages"]) > 1)
    several.update(date="2014-01-13", year=2014)  # a label: dated by its effective date
    answer = assert_round_trips(data)
    read = next(r for r in answer.references if r.n == several["n"])
    assert [p.passage_id for p in read.passages] == [p["passage_id"] for p in several["passages"]]
    # an answer stored before references were per document: its one passage is listed
    old = {k: v for k, v in several.items() if k not in ("passages", "date")}
    again = Reference.from_dict(old).to_dict()
    assert [(p["passage_id"], p["text"]) for p in again["passages"]] == [
        (old["passage_id"], old["text"])
    ]
    assert again["date"] == "2014"

"""End to end through the façade: ingest → search → ask, on real records."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from medcite.config import Settings
from medcite.errors import IndexNotReady, QuestionError
from medcite.service import Engine

MS_QUESTION = (
    "What are the treatment options for progressive multiple sclerosis "
    "(primary-progressive and secondary-progressive)?"
)


def test_search_finds_the_page_about_the_query(engine: Engine) -> None:
    hits = engine.search("copolymer I (Copaxone) relapse rate in MS", k=5)
    assert hits and [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert hits[0].document.doc_id == "medquad:6_NINDS_QA/0000202-2"
    for hit in hits:
        # the cited text is a verbatim slice of the stored document
        assert hit.document.text[hit.passage.start : hit.passage.end] == hit.passage.text


def test_answer_validates_against_the_shared_schema(engine: Engine, answer_schema: dict) -> None:
    answer = engine.answer(MS_QUESTION).to_dict()
    jsonschema.validate(answer, answer_schema)
    json.dumps(answer)  # serialisable as is


def test_every_citation_resolves_and_every_statement_is_in_its_passage(engine: Engine) -> None:
    answer = engine.answer(MS_QUESTION)
    refs = {r.n: r for r in answer.references}
    assert [r.n for r in answer.references] == list(range(1, len(refs) + 1))
    statements = [answer.bottom_line] + [s for sec in answer.sections for s in sec.statements]
    assert len(statements) >= 4
    first_use: list[int] = []
    for statement in statements:
        assert statement.citations, statement.text
        for n in statement.citations:
            assert n in refs
            first_use += [n] if n not in first_use else []
        for ev in statement.evidence:  # in the passage of its source that it names
            (passage,) = [p for p in refs[ev.n].passages if p.passage_id == ev.passage_id]
            assert passage.text[ev.start : ev.end] == ev.quote
        first = statement.evidence[0]
        assert first.quote == statement.text and first.score == 1.0
    assert first_use == sorted(first_use), "references are numbered by first use"


def test_ms_answer_has_treatment_sections_and_currency(engine: Engine) -> None:
    answer = engine.answer(MS_QUESTION)
    assert answer.intent == "treatment"
    kinds = {s.kind for s in answer.sections}
    assert "first_line" in kinds or "evidence_gap" in kinds
    text = " ".join(s.text for sec in answer.sections for s in sec.statements).lower()
    assert "interferon" in text or "mitoxantrone" in text
    bottom = answer.bottom_line.text.lower()
    assert "multiple sclerosis" in bottom or "ms" in re.findall(r"[a-z]+", bottom)
    assert answer.evidence_currency["dated"] + answer.evidence_currency["undated"] == len(
        {r.document.doc_id for r in answer.references}
    )
    assert answer.review and answer.review["status"] == "draft"
    assert "pending human review" in answer.review["label"]


def test_unrelated_question_gets_an_honest_insufficient_answer(
    engine: Engine, answer_schema: dict
) -> None:
    answer = engine.answer("What is the recommended torque for a bicycle crank bolt?")
    assert answer.insufficient_evidence
    assert answer.sections == [] and answer.references == []
    jsonschema.validate(answer.to_dict(), answer_schema)


@pytest.mark.parametrize("question", ["", "   ", "x" * 10_000])
def test_bad_questions_get_a_clear_error(engine: Engine, question: str) -> None:
    with pytest.raises(QuestionError, match="empty|limit"):
        engine.answer(question)


def test_reingest_is_idempotent(engine: Engine, fixture_corpus: list[Path]) -> None:
    before = engine.status()
    report = engine.ingest(fixture_corpus[:1])
    assert report.total("added") == 0 and report.total("updated") == 0
    assert report.total("unchanged") == report.total("documents") > 0
    after = engine.status()
    assert after["corpus"]["passages"] == before["corpus"]["passages"]
    assert after["index"]["passages"] == before["index"]["passages"]


def test_search_before_any_ingest_says_what_to_do(settings: Settings) -> None:
    with Engine(settings) as engine, pytest.raises(IndexNotReady, match="medcite ingest"):
        engine.search("anything")

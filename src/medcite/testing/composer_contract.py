"""The contract every :class:`~medcite.compose.base.Composer` passes, shipped as a mixin.

Subclass it in a test module and override the ``composer`` fixture::

    class TestMyComposer(ComposerContract):
        @pytest.fixture
        def composer(self):
            return MyComposer()

The tests also use the ``engine`` (a real index over the fixture corpus) and ``answer_schema``
fixtures of medcite's own ``tests/conftest.py``.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from medcite.compose.base import Composer
from medcite.models import Answer, Hit

QUESTIONS = (
    ("What are the treatment options for multiple sclerosis?", "clinician"),
    ("What is multiple sclerosis?", "patient"),
)


def statements(answer: Answer) -> list[Any]:
    return [answer.bottom_line, *(s for section in answer.sections for s in section.statements)]


def assert_citations_resolve(answer: Answer, hits: list[Hit]) -> None:
    """Every citation names a reference; references are 1..n, one per document, cited, and
    their passages among ``hits``; every evidence entry names a passage of its reference."""
    numbers = [r.n for r in answer.references]
    assert numbers == list(range(1, len(numbers) + 1))
    doc_ids = [r.document.doc_id for r in answer.references]
    assert len(set(doc_ids)) == len(doc_ids), f"one reference per document: {doc_ids}"
    cited = {n for s in statements(answer) for n in s.citations}
    assert cited <= set(numbers), f"citations {cited - set(numbers)} name no reference"
    assert cited == set(numbers), "every reference is cited"
    retrieved = {h.passage.passage_id: h.passage.text for h in hits}
    for ref in answer.references:
        for passage in ref.passages:
            assert passage.doc_id == ref.document.doc_id
            assert retrieved.get(passage.passage_id) == passage.text
    passages = {(r.n, p.passage_id) for r in answer.references for p in r.passages}
    named = {(e.n, e.passage_id) for s in statements(answer) for e in s.evidence}
    assert named == passages, "evidence names exactly the passages listed under references"
    for statement in statements(answer):
        assert {e.n for e in statement.evidence} <= set(statement.citations)


class ComposerContract:
    @pytest.fixture
    def composer(self) -> Composer:
        raise NotImplementedError("override the composer fixture")

    def test_is_a_composer(self, composer: Composer) -> None:
        assert isinstance(composer, Composer)
        assert composer.name

    @pytest.mark.parametrize(("question", "audience"), QUESTIONS)
    def test_answers_cite_only_retrieved_passages(
        self, composer: Composer, engine: Any, answer_schema: dict, question: str, audience: str
    ) -> None:
        hits = engine.search(question, k=20)
        answer = composer.compose(question, hits, audience=audience)
        jsonschema.validate(answer.to_dict(), answer_schema)
        assert answer.question == question and answer.audience == audience
        assert answer.bottom_line.text
        assert_citations_resolve(answer, hits)

    def test_no_hits_no_references(self, composer: Composer, answer_schema: dict) -> None:
        answer = composer.compose("What is the treatment for gout?", [])
        jsonschema.validate(answer.to_dict(), answer_schema)
        assert answer.references == [] and answer.sections == []
        assert answer.bottom_line.citations == []

    def test_events_end_in_the_one_answer(
        self, composer: Composer, engine: Any, answer_schema: dict
    ) -> None:
        question, audience = QUESTIONS[0]
        hits = engine.search(question, k=20)
        events = list(composer.events(question, hits, audience=audience))
        kinds = [e["type"] for e in events]
        assert set(kinds) <= {"delta", "fallback", "answer"}
        assert kinds.count("answer") == 1 and kinds[-1] == "answer"
        answer = events[-1]["answer"]
        assert isinstance(answer, Answer) and answer.question == question
        jsonschema.validate(answer.to_dict(), answer_schema)
        assert_citations_resolve(answer, hits)

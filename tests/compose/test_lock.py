"""The topic lock on real MedQuAD pages: a further condition the question names may be named
anywhere in a page about the topic (issue 15)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from medcite.service import Engine

AF_TREATMENT = (
    "medquad:8_NHLBI_QA_XML/0000013-8"  # "What are the treatments for Atrial Fibrillation?"
)
RATE_DRUGS = "Medicines used to control the heart rate include beta blockers"


@pytest.fixture(scope="module")
def af_engine(small_corpus: Callable[..., Engine]) -> Engine:
    return small_corpus(focus={"Atrial Fibrillation", "Stroke"})


def test_a_second_condition_named_elsewhere_on_the_topic_s_page_keeps_its_sentences(
    af_engine: Engine,
) -> None:
    # The rate-control sentence never says "stroke"; its page, about atrial fibrillation,
    # does (blood clot prevention, paragraphs above).
    question = (
        "Which anticoagulants prevent stroke in atrial fibrillation, "
        "and which drugs control the ventricular rate?"
    )
    answer = af_engine.answer(question)
    statements = [answer.bottom_line, *(s for x in answer.sections for s in x.statements)]
    rate = [s for s in statements if s.text.startswith(RATE_DRUGS)]
    assert rate, [s.text for s in statements]
    by_number = {r.n: r.document.doc_id for r in answer.references}
    assert {by_number[n] for n in rate[0].citations} == {AF_TREATMENT}


def test_a_topic_with_its_own_page_never_falls_back_to_its_head_word(
    small_corpus: Callable[..., Engine],
) -> None:
    # Nothing on the carbon monoxide page is a prevention sentence; the poisoning pages and a
    # paraquat abstract name "poisoning" with prevention words. What the topic's own page says
    # beats another poisoning's advice.
    engine = small_corpus(focus={"Carbon Monoxide Poisoning", "Poisoning"}, scifact={"41294031"})
    answer = engine.answer(
        "Everyone in our house gets headaches when the gas heater is on. Could it be carbon "
        "monoxide, and how do we protect ourselves?"
    )
    assert answer.references
    assert all("Carbon Monoxide" in r.document.title for r in answer.references)

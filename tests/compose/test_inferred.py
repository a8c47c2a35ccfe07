"""A question that describes a condition without naming it is answered about the condition
whose pages match the description, and says so first (issue 15), on real MedQuAD pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from medcite.service import Engine

FOCI = {"Retinoblastoma", "Hemorrhoids", "Sickle Cell Disease", "Cataract", "Glaucoma"}
# Conditions told beside what a story mentions, symptoms that have pages of their own, and a
# neighbour sharing a word with a condition the corpus has no page on.
STORY_FOCI = {
    "Rocky Mountain Spotted Fever (RMSF)",
    "Tick Bites",
    "Q Fever",
    "Q fever",
    "Anemia",
    "Hypersensitivity Pneumonitis",
    "Cough",
    "Idiopathic acute eosinophilic pneumonia",
    "Whooping Cough",
    "Asthma",
    "Bronchitis",
    "Pneumonia",
}


@pytest.fixture(scope="module")
def story_engine(small_corpus: Callable[..., Engine]) -> Engine:
    # a nebulised heparin trial on ventilator-associated pneumonia; an obstetric study on sheep
    return small_corpus(focus=STORY_FOCI, pubmedqa={"27288618", "7547656"})


@pytest.fixture(scope="module")
def pages_engine(small_corpus: Callable[..., Engine]) -> Engine:
    return small_corpus(focus=FOCI)


def test_a_described_condition_is_answered_and_the_match_is_said_first(
    pages_engine: Engine,
) -> None:
    question = (
        "Our baby's pupil looks white, and the eye doctor saw a tumor inside the eye. What "
        "is the outlook?"
    )
    answer = pages_engine.answer(question)
    assert answer.question_reading is not None
    assert answer.question_reading["inferred_topic"] == "retinoblastoma"
    assert answer.warnings[0].startswith("The question names no condition.")
    assert "retinoblastoma" in answer.warnings[0]
    assert answer.references
    assert all("retinoblastoma" in r.document.title.lower() for r in answer.references)


def test_a_named_condition_is_never_replaced_by_a_match(pages_engine: Engine) -> None:
    answer = pages_engine.answer("How is glaucoma treated, and can a white pupil mean a tumour?")
    assert answer.question_reading is not None
    assert "inferred_topic" not in answer.question_reading
    assert not any(w.startswith("The question names no condition.") for w in answer.warnings)


def test_of_two_named_conditions_the_one_the_question_matches_is_the_topic(
    story_engine: Engine,
) -> None:
    reading = story_engine.read_question(
        "A 4-year-old has fever and headache a week after a tick bite and I suspect Rocky "
        "Mountain spotted fever. Do I start doxycycline before the serology comes back?"
    )
    assert reading.topic is not None
    assert reading.topic.name == "rocky mountain spotted fever"


def test_what_no_page_is_about_is_the_story_beside_the_named_condition(
    story_engine: Engine,
) -> None:
    reading = story_engine.read_question(
        "A sheep farmer with a heart valve defect has just been treated for acute Q fever "
        "after lambing season. What long-term complication is he at risk of?"
    )
    assert reading.topic is not None
    assert reading.topic.general == "q fever"
    assert "sheep" in [c.name for c in reading.asked_for]
    assert "sheep" not in [c.name for c in reading.concepts]


def test_a_symptom_with_a_page_does_not_stop_the_described_condition(
    story_engine: Engine,
) -> None:
    reading = story_engine.read_question(
        "I keep racing pigeons. A few hours after cleaning the loft I get chills, a cough and "
        "a tight chest, and it clears up after a day or two away. How would a doctor test for "
        "what this is?"
    )
    assert reading.inferred == "hypersensitivity pneumonitis"
    assert reading.topic is not None and reading.topic.name == "hypersensitivity pneumonitis"
    assert "cough" in [c.name for c in reading.asked_for]


def test_a_neighbour_page_is_not_taken_for_a_named_disease_it_never_discusses(
    story_engine: Engine,
) -> None:
    reading = story_engine.read_question(
        "Is there any point nebulizing heparin in mechanically ventilated ICU patients to "
        "prevent ventilator-associated pneumonia?"
    )
    assert not reading.inferred

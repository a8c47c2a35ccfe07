"""A question that describes a condition without naming it is answered about the condition
whose pages match the description, and says so first (issue 15), on real MedQuAD pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from medcite.service import Engine

FOCI = {"Retinoblastoma", "Hemorrhoids", "Sickle Cell Disease", "Cataract", "Glaucoma"}


@pytest.fixture(scope="module")
def pages_engine(small_corpus: Callable[..., Engine]) -> Engine:
    return small_corpus(focus=FOCI)


def test_a_described_condition_is_answered_and_the_match_is_said_first(
    pages_engine: Engine,
) -> None:
    question = (
        "In flash photos our baby's pupil looks white, and the eye doctor saw a tumour "
        "inside the eye. What is the outlook?"
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

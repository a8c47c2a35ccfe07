"""The corpus topic vocabulary, built from the real fixture index and kept in its data dir."""

from __future__ import annotations

import pytest

from medcite.question.vocabulary import Term, TopicVocabulary, focus_forms, question_words
from medcite.service import Engine


def test_topics_come_from_the_corpus_with_short_forms_harvested_from_its_text(
    engine: Engine,
) -> None:
    vocabulary = engine.vocabulary
    found = vocabulary.find(question_words("How is MS treated in multiple sclerosis clinics?"))
    assert [m.term.name for m in found] == ["multiple sclerosis", "multiple sclerosis"]
    assert "MS" in found[0].term.aliases  # "multiple sclerosis (MS)" in the pages' text
    assert found[0].term.docs > 5


@pytest.mark.parametrize(
    "word", ["need", "monitor", "acute", "depend", "size", "taken", "together"]
)
def test_question_words_are_never_topics(engine: Engine, word: str) -> None:
    assert engine.vocabulary.find([word]) == []


def test_the_vocabulary_is_saved_for_the_corpus_snapshot_and_reloaded(engine: Engine) -> None:
    saved = TopicVocabulary.load(engine.settings.home)
    assert saved is not None
    assert saved.snapshot == engine.manifest()["corpus_snapshot"]
    assert saved.terms.keys() == engine.vocabulary.terms.keys()


def test_a_page_focus_is_also_the_names_it_is_made_of() -> None:
    # A real MedQuAD (CDC) focus.
    forms = focus_forms("Parasites - Cyclosporiasis (Cyclospora Infection)")
    assert forms == [
        "Parasites - Cyclosporiasis (Cyclospora Infection)",
        "Cyclosporiasis",
        "Cyclospora Infection",
    ]
    assert focus_forms("Multiple Sclerosis") == ["Multiple Sclerosis"]


def test_a_short_form_after_the_is_a_place_not_the_condition() -> None:
    key = "erectil dysfunction"
    vocabulary = TopicVocabulary(
        {key: Term("erectile dysfunction", "condition", docs=9, keys=(key,), page=True)},
        aliases={"ED": key},
    )
    found = vocabulary.find(question_words("Which drugs treat ED?"))
    assert [m.term.name for m in found] == ["erectile dysfunction"]
    assert vocabulary.find(question_words("A woman in the ED has a pulmonary embolism.")) == []

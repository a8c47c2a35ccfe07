"""Follow-up rewriting: carry-over, replacement, topic change (pure functions, no corpus)."""

from __future__ import annotations

import pytest

from medcite.question.followup import parse_turn, rewrite
from medcite.text.drugs import find_drugs, inn_stem_drugs

PPMS_DOSE = "What is the dose of ocrelizumab in primary progressive MS?"


def test_a_question_without_history_is_answered_as_asked() -> None:
    result = rewrite(PPMS_DOSE)
    assert not result.follow_up
    assert result.answering == PPMS_DOSE
    assert result.intent == "dosing"


def test_intent_follow_up_carries_the_topic() -> None:
    history = ["What are the treatment options for primary progressive multiple sclerosis?"]
    result = rewrite("What about dosing?", history)
    assert result.follow_up
    assert result.intent == "dosing"
    assert "primary progressive multiple sclerosis" in result.answering
    assert result.answering.startswith("dosing")


def test_population_follow_up_carries_intent_drug_and_topic() -> None:
    result = rewrite("and in pregnancy?", [PPMS_DOSE])
    assert result.intent == "dosing"
    assert result.answering == "dosing of ocrelizumab in primary progressive MS during pregnancy"


def test_interaction_follow_up_keeps_the_drug_it_refers_to() -> None:
    history = ["What is the recommended dose of tramadol for chronic pain?"]
    result = rewrite("is it safe with escitalopram?", history)
    assert result.intent == "interactions"
    assert result.state.drugs == ("tramadol", "escitalopram")
    assert result.answering.startswith("interactions of tramadol with escitalopram")


def test_a_new_drug_replaces_the_old_one_of_the_same_kind() -> None:
    result = rewrite("What about ocrelizumab?", ["What are the side effects of natalizumab?"])
    assert result.intent == "adverse_effects"
    assert result.state.drugs == ("ocrelizumab",)
    assert "natalizumab" not in result.answering


def test_a_new_population_replaces_the_old_one() -> None:
    history = ["How is gout treated?", "and in pregnancy?"]
    result = rewrite("what about in children?", history)
    assert result.answering == "treatment of gout in children"


def test_a_new_topic_under_a_cue_keeps_the_intent_and_drops_old_drugs() -> None:
    result = rewrite("And what about gout?", [PPMS_DOSE])
    assert result.follow_up
    assert result.state.topic == "gout" and result.state.drugs == ()
    assert result.answering == "dosing of treatments for gout"


def test_a_complete_question_on_another_topic_starts_fresh() -> None:
    history = [PPMS_DOSE, "and in pregnancy?"]
    result = rewrite("How is gout treated?", history)
    assert not result.follow_up
    assert result.answering == "How is gout treated?"
    assert result.state.population == ""


def test_state_accumulates_over_several_turns() -> None:
    history = ["What causes multiple sclerosis?", "How is it diagnosed?"]
    result = rewrite("and in children?", history)
    assert result.answering == "diagnosis of multiple sclerosis in children"


def test_subgroups_carry_over_in_parentheses() -> None:
    history = [
        "What are the treatment options for progressive multiple sclerosis "
        "(primary-progressive and secondary-progressive)?"
    ]
    result = rewrite("what are the side effects?", history)
    assert result.intent == "adverse_effects"
    assert "(primary-progressive and secondary-progressive)" in result.answering


@pytest.mark.parametrize(
    ("question", "drugs"),
    [
        ("Is tramadol safe with sertraline?", ("tramadol", "sertraline")),
        ("What about dosing?", ()),
        ("natalizumab PML risk", ("natalizumab",)),
    ],
)
def test_drugs_are_found_as_written(question: str, drugs: tuple[str, ...]) -> None:
    assert find_drugs(question) == drugs


def test_parse_separates_drug_topic_and_population() -> None:
    turn = parse_turn("Is metformin safe for older adults with type 2 diabetes?")
    assert turn.drugs == ("metformin",)
    assert turn.population == "in older adults"
    assert "diabetes" in turn.topic and "metformin" not in turn.topic
    assert turn.intent == "adverse_effects"


def test_drug_lexicon_matches_multiword_names_and_skips_everyday_words() -> None:
    assert find_drugs("Does vitamin D help with pain and sleep?") == ("vitamin D",)


def test_without_the_lexicon_inn_stems_find_drugs() -> None:
    found = inn_stem_drugs("ocrelizumab with lisinopril and water, then ocrelizumab again")
    assert found == ("ocrelizumab", "lisinopril")

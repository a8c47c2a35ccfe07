"""What a sentence is, read alone: whether it leans on the one before, whether it is abstract
scaffolding (sentences from the demo corpus)."""

from __future__ import annotations

import pytest

from medcite.compose import content


@pytest.mark.parametrize(
    "sentence",
    [
        "Some are given through a needle inserted into a vein.",  # NHLBI ITP page
        "Most are mild and go away on their own.",
        "Many of them recover without treatment.",
        "These medicines include rituximab, immune globulin, and anti-Rh (D) immunoglobulin.",
        # NHLBI P.A.D. page: which test, the sentence before says
        "Doctors use this test to find the exact location of a blocked artery.",
        "The results of this test can show whether a blood vessel is blocked.",
    ],
)
def test_a_sentence_about_some_of_what_came_before_leans_on_it(sentence: str) -> None:
    assert content.dangling(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Some people who have ITP with severe bleeding may need to have platelet transfusions.",
        "All persons should be treated at the same time to prevent reinfestation.",
        "These findings support an association between statin use and reduced fracture risk.",
    ],
)
def test_a_sentence_that_names_its_subject_stands_alone(sentence: str) -> None:
    assert not content.dangling(sentence)


def test_statistics_with_a_direction_are_a_finding_without_it_scaffolding() -> None:
    finding = (
        "Patients in the IC group had less weight gain than those in the IM group "
        "(1.3 vs 4.2 kg; P=.01), and they reported fewer hypoglycemic events (2.7 vs 4.3; P=.02)."
    )
    assert not content.scaffolding(finding)
    assert content.scaffolding("Mean (SD) 4.2 (1.3) vs 3.9 (1.1), P = .01, 95% CI 0.2 to 0.4.")

"""Each rule, positive and negative, on real-looking abstract and consumer-page text."""

from __future__ import annotations

import pytest

from medcite.verify.base import TextPassage
from medcite.verify.heuristic import HeuristicVerifier, lexical_baseline_label

METFORMIN = TextPassage(
    "In this 24-week trial, metformin 500 mg twice daily reduced HbA1c by 0.8% in adults with "
    "type 2 diabetes. Gastrointestinal adverse events were the most common reason for "
    "discontinuation.",
    "p-metformin",
)
MS_APPROVALS = TextPassage(
    "Ocrelizumab is approved for primary progressive multiple sclerosis. Siponimod and "
    "cladribine are approved to treat active secondary progressive multiple sclerosis.",
    "p-ms",
)
VITAMIN_D = TextPassage(
    "Vitamin D supplementation may reduce the risk of falls in older adults living in the "
    "community.",
    "p-vitd",
)
ASPIRIN = TextPassage(
    "Low-dose aspirin did not reduce the incidence of cardiovascular events in healthy older "
    "adults.",
    "p-aspirin",
)


def label(verifier: HeuristicVerifier, statement: str, *passages: TextPassage) -> str:
    return verifier.verify(statement, passages).label


def test_verbatim_sentence_is_supported_with_exact_span(verifier: HeuristicVerifier) -> None:
    statement = "Gastrointestinal adverse events were the most common reason for discontinuation."
    verdict = verifier.verify(statement, [METFORMIN])
    assert verdict.label == "supported"
    span = verdict.best
    assert span is not None and METFORMIN.text[span.start : span.end] == span.quote
    assert statement in span.quote


def test_paraphrase_by_reordering_is_supported(verifier: HeuristicVerifier) -> None:
    statement = (
        "In adults with type 2 diabetes, HbA1c was reduced by 0.8% with metformin 500 mg "
        "twice daily."
    )
    assert label(verifier, statement, METFORMIN) == "supported"


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        (
            "Metformin 1000 mg twice daily reduced HbA1c by 0.8% in adults with type 2 diabetes.",
            "contradicted",
        ),
        (
            "Metformin 500 mg once daily reduced HbA1c by 0.8% in adults with type 2 diabetes.",
            "contradicted",
        ),
        (
            "Metformin 500 mg twice daily reduced HbA1c by 2.5% in adults with type 2 diabetes.",
            "contradicted",
        ),
        (
            "Metformin 500 mg twice daily for 52 weeks reduced HbA1c in adults with type 2 "
            "diabetes.",
            "partial",
        ),
    ],
)
def test_numbers_must_match(verifier: HeuristicVerifier, statement: str, expected: str) -> None:
    verdict = verifier.verify(statement, [METFORMIN])
    assert verdict.label == expected
    assert any(r.startswith("numbers:") for r in verdict.reasons)


def test_matching_numbers_and_ranges_pass(verifier: HeuristicVerifier) -> None:
    passage = TextPassage("The recommended dose is 5-10 mg once daily in adults.", "p")
    assert label(verifier, "The recommended dose is 10 mg once daily in adults.", passage) == (
        "supported"
    )


def test_flipped_negation_is_contradicted(verifier: HeuristicVerifier) -> None:
    verdict = verifier.verify(
        "Low-dose aspirin reduced the incidence of cardiovascular events in healthy older adults.",
        [ASPIRIN],
    )
    assert verdict.label == "contradicted"
    assert any(r.startswith("negation:") for r in verdict.reasons)
    assert verdict.contradicting and verdict.contradicting[0].passage_id == "p-aspirin"


def test_same_negation_is_not_contradicted(verifier: HeuristicVerifier) -> None:
    statement = (
        "Aspirin at a low dose did not reduce cardiovascular events in healthy older adults."
    )
    assert label(verifier, statement, ASPIRIN) == "supported"


def test_opposite_direction_is_contradicted(verifier: HeuristicVerifier) -> None:
    verdict = verifier.verify(
        "Vitamin D supplementation may increase the risk of falls in older adults.", [VITAMIN_D]
    )
    assert verdict.label == "contradicted"
    assert any(r.startswith("direction:") for r in verdict.reasons)


def test_exclusivity_contradicted_by_other_options(verifier: HeuristicVerifier) -> None:
    verdict = verifier.verify(
        "Ocrelizumab is the only approved therapy for progressive multiple sclerosis.",
        [MS_APPROVALS],
    )
    assert verdict.label == "contradicted"
    assert any("siponimod" in r for r in verdict.reasons)


def test_exclusivity_without_other_options_is_unsupported(verifier: HeuristicVerifier) -> None:
    passage = TextPassage(
        "Ocrelizumab is approved for primary progressive multiple sclerosis.", "p"
    )
    verdict = verifier.verify(
        "Ocrelizumab is the sole approved treatment for primary progressive multiple sclerosis.",
        [passage],
    )
    assert verdict.label == "unsupported"


def test_exclusivity_stated_by_the_source_is_supported(verifier: HeuristicVerifier) -> None:
    passage = TextPassage(
        "Ocrelizumab is the only approved therapy for primary progressive multiple sclerosis.",
        "p",
    )
    statement = (
        "Ocrelizumab is the only approved therapy for primary progressive multiple sclerosis."
    )
    assert label(verifier, statement, passage, MS_APPROVALS) == "supported"


def test_removed_hedge_is_partial(verifier: HeuristicVerifier) -> None:
    verdict = verifier.verify(
        "Vitamin D supplementation reduces the risk of falls in older adults living in the "
        "community.",
        [VITAMIN_D],
    )
    assert verdict.label == "partial"
    assert any(r.startswith("hedge:") for r in verdict.reasons)


def test_kept_hedge_is_supported(verifier: HeuristicVerifier) -> None:
    statement = "In older adults living in the community, vitamin D supplements may reduce falls."
    assert label(verifier, statement, VITAMIN_D) == "supported"


def test_wrong_population_is_unsupported(verifier: HeuristicVerifier) -> None:
    verdict = verifier.verify(
        "Metformin 500 mg twice daily reduced HbA1c by 0.8% in children with type 2 diabetes.",
        [METFORMIN],
    )
    assert verdict.label == "unsupported"
    assert any(r.startswith("population:") for r in verdict.reasons)


def test_population_not_named_by_source_passes(verifier: HeuristicVerifier) -> None:
    passage = TextPassage("Metformin lowers fasting glucose in type 2 diabetes.", "p")
    assert label(
        verifier, "Metformin lowers fasting glucose in adults with type 2 diabetes.", passage
    ) in {"supported", "partial"}


def test_missing_drug_is_unsupported(verifier: HeuristicVerifier) -> None:
    verdict = verifier.verify(
        "Sitagliptin 100 mg twice daily reduced HbA1c by 0.8% in adults with type 2 diabetes.",
        [METFORMIN],
    )
    assert verdict.label == "unsupported"
    assert any("sitagliptin" in r for r in verdict.reasons)


def test_approval_claim_needs_an_approval_source(verifier: HeuristicVerifier) -> None:
    verdict = verifier.verify(
        "Metformin is FDA-approved to reduce HbA1c in adults with type 2 diabetes.", [METFORMIN]
    )
    assert verdict.label == "unsupported"
    assert any(r.startswith("approval:") for r in verdict.reasons)
    approved = TextPassage("Metformin is approved for adults with type 2 diabetes.", "p")
    assert label(verifier, "Metformin is approved for adults with type 2 diabetes.", approved) == (
        "supported"
    )


def test_unrelated_passage_is_unsupported(verifier: HeuristicVerifier) -> None:
    assert label(verifier, "Statins lower LDL cholesterol in adults.", VITAMIN_D) == "unsupported"


def test_no_passages_is_unsupported(verifier: HeuristicVerifier) -> None:
    verdict = verifier.verify("Statins lower LDL cholesterol.", [])
    assert verdict.label == "unsupported" and verdict.reasons


def test_sentence_fusion_aligns_with_two_adjacent_sentences(verifier: HeuristicVerifier) -> None:
    statement = (
        "Metformin reduced HbA1c in adults with type 2 diabetes, and gastrointestinal adverse "
        "events were the most common reason for discontinuation."
    )
    verdict = verifier.verify(statement, [METFORMIN])
    assert verdict.label in {"supported", "partial"}
    assert verdict.best is not None and verdict.best.quote.count(".") >= 2


def test_baseline_ignores_the_rules(verifier: HeuristicVerifier) -> None:
    statement = (
        "Low-dose aspirin reduced the incidence of cardiovascular events in healthy older adults."
    )
    assert lexical_baseline_label(statement, [ASPIRIN]) == "supported"
    assert verifier.verify(statement, [ASPIRIN]).label == "contradicted"


def test_describe_says_heuristic(verifier: HeuristicVerifier) -> None:
    assert verifier.describe()["heuristic"] is True

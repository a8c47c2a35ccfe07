"""The learned model decides only alignment-only partials and unsupporteds, on real pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcite.eval.verify import document_passages
from medcite.text.drugs import DrugLexicon
from medcite.verify.base import TextPassage
from medcite.verify.heuristic import HeuristicVerifier
from medcite.verify.learned import FEATURES, SupportModel

SHINGLES_VACCINE = "medquad:7_SeniorHealth_QA/0000062-3"
MS = "medquad:6_NINDS_QA/0000202-2"


@pytest.fixture(scope="module")
def pages(shared_data: Path) -> dict[str, tuple[TextPassage, ...]]:
    return document_passages(shared_data, {SHINGLES_VACCINE, MS})


@pytest.fixture(scope="module")
def rules_only(drugs: DrugLexicon) -> HeuristicVerifier:
    return HeuristicVerifier(drugs=drugs, learned=False)


def test_a_paraphrase_the_rules_leave_partial_is_supported(pages, verifier, rules_only) -> None:  # type: ignore[no-untyped-def]
    # "Even if you have had shingles, you can still get the shingles vaccine to help prevent
    # future occurrences of the disease."
    statement = (
        "Even people who already had shingles can get the vaccine to help stop it returning."
    )
    assert rules_only.verify(statement, pages[SHINGLES_VACCINE]).label == "partial"
    verdict = verifier.verify(statement, pages[SHINGLES_VACCINE])
    assert verdict.label == "supported" and any("learned" in r for r in verdict.reasons)
    assert verdict.best is not None and verdict.best.quote.startswith("Even if you have had")


def test_a_population_the_sentence_does_not_name_is_not_paraphrase(pages, verifier) -> None:  # type: ignore[no-untyped-def]
    verdict = verifier.verify(
        "Pregnant women can get the shingles vaccine to help prevent future occurrences of the "
        "disease.",
        pages[SHINGLES_VACCINE],
    )
    assert verdict.label != "supported" and not any("learned" in r for r in verdict.reasons)


def test_a_rule_finding_is_never_undone(pages, verifier) -> None:  # type: ignore[no-untyped-def]
    verdict = verifier.verify(
        "Copaxone can reduce the relapse rate by almost two thirds.", pages[MS]
    )
    assert verdict.label == "contradicted"


def test_the_model_round_trips_and_reads_document_coverage(tmp_path: Path) -> None:
    model = SupportModel.load()
    assert set(model.weights) == set(FEATURES)
    assert "scifact_train_claims" in model.trained_on  # trained on train, never dev
    model.save(tmp_path / "m.json")
    assert SupportModel.load(tmp_path / "m.json") == model
    low = dict(model.mean, document_coverage=0.3)
    high = dict(model.mean, document_coverage=1.0)
    assert model.probability(high) > model.probability(low)


def _scifact_abstract(shared_data: Path, doc_id: str) -> TextPassage:
    with (shared_data / "scifact" / "corpus.jsonl").open(encoding="utf-8") as fh:
        row = next(r for r in map(json.loads, fh) if r["_id"] == doc_id)
    return TextPassage(f"{row['title']}. {row['text']}", row["_id"])


def test_a_bare_number_in_a_name_does_not_keep_it_from_the_model(
    shared_data: Path, verifier
) -> None:  # type: ignore[no-untyped-def]
    # SciFact train claim 67 against its abstract: "Cdk5" and "ATM" are names, not amounts.
    abstract = _scifact_abstract(shared_data, "21295300")
    statement = "Activated Cdk5 phosphorylates the ATM protein in response to DNA damage."
    # Aligned well enough ("Activated" against "activation") it is supported outright;
    # otherwise it must be the model's to decide, not held back for the name's number.
    verdict, undecided = verifier.assess(statement, [abstract])
    assert verdict.label == "supported" or undecided is not None
    assert not verdict.reasons[1:]


def test_an_unsupported_by_alignment_alone_may_be_lifted_with_its_evidence(
    shared_data: Path, verifier, rules_only
) -> None:  # type: ignore[no-untyped-def]
    # SciFact train claim 1159 (gold SUPPORT): the abstract's conclusion says the words of
    # the claim across the abstract, no one sentence holds 40% of them.
    abstract = _scifact_abstract(shared_data, "12584053")
    statement = "The DESMOND program demonstrates no significant impact on weight loss."
    alone, undecided = rules_only.assess(statement, [abstract])
    assert alone.label == "unsupported" and not alone.supporting and undecided is not None
    verdict = verifier.verify(statement, [abstract])
    assert verdict.label == "supported" and any("learned" in r for r in verdict.reasons)
    assert verdict.best == undecided.evidence


def test_the_shipped_thresholds_are_the_train_cross_validation_choice() -> None:
    from medcite.eval.verify_training import chosen_thresholds

    model = SupportModel.load()
    assert model.trained_on["threshold_chosen_by"] == "scifact_train_cv"
    assert model.thresholds == chosen_thresholds(model.trained_on["scifact_train_cv"])


def test_a_partial_is_lifted_at_its_own_lower_threshold(shared_data: Path, verifier) -> None:  # type: ignore[no-untyped-def]
    # SciFact train claim 548 (gold SUPPORT): the model rates it 0.38, under the unsupported's
    # threshold; lifting a partial removes no flag, so train CV lets it lift at less.
    abstract = _scifact_abstract(shared_data, "18199839")
    statement = "IL-6 signaling plays a major role in atherosclerotic cardiovascular disease."
    alone, undecided = verifier.assess(statement, [abstract])
    assert alone.label == "partial" and undecided is not None
    model = verifier.model
    p = model.probability(undecided.signals)
    assert model.thresholds["partial"] <= p < model.thresholds["unsupported"]
    assert verifier.verify(statement, [abstract]).label == "supported"

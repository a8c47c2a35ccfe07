"""Each rule on real demo-corpus pages: the sentence that carries a claim decides, never a
neighbour; the evidence shown is that sentence. The pages are read from the shared data and
chunked as ingested (no text is copied into the tests)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcite.eval.verify import document_passages
from medcite.verify.base import TextPassage
from medcite.verify.heuristic import HeuristicVerifier, Verdict

MS = "medquad:6_NINDS_QA/0000202-2"
GOUT = "medquad:7_SeniorHealth_QA/0000028-4"
BLOOD_PRESSURE = "medquad:7_SeniorHealth_QA/0000036-20"
ASTHMA = "medquad:8_NHLBI_QA_XML/0000010-6"
STROKE = "medquad:7_SeniorHealth_QA/0000066-27"
SPINA_BIFIDA = "medquad:6_NINDS_QA/0000256-4"
OSTEOPOROSIS = "medquad:7_SeniorHealth_QA/0000050-6"
HEART_FAILURE = "medquad:8_NHLBI_QA_XML/0000061-7"
PROLACTINOMA = "medquad:5_NIDDK_QA/0000015-8"
ATRIAL_FIBRILLATION = "medquad:8_NHLBI_QA_XML/0000013-8"
SICKLE_CELL = "medquad:8_NHLBI_QA_XML/0000117-7"
DIABETES_PREVENTION = "medquad:5_NIDDK_QA/0000022-2"
PAGES = (
    MS,
    GOUT,
    BLOOD_PRESSURE,
    ASTHMA,
    STROKE,
    SPINA_BIFIDA,
    OSTEOPOROSIS,
    HEART_FAILURE,
    PROLACTINOMA,
    ATRIAL_FIBRILLATION,
    SICKLE_CELL,
    DIABETES_PREVENTION,
)


@pytest.fixture(scope="module")
def pages(shared_data: Path) -> dict[str, tuple[TextPassage, ...]]:
    found = document_passages(shared_data, set(PAGES))
    assert set(found) == set(PAGES)
    return found


@pytest.fixture(scope="module")
def check(pages: dict, verifier: HeuristicVerifier):  # type: ignore[no-untyped-def]
    def run(statement: str, page: str) -> Verdict:
        return verifier.verify(statement, pages[page])

    return run


def shown(verdict: Verdict) -> str:
    assert verdict.best is not None
    return verdict.best.quote


def test_a_negated_neighbour_does_not_contradict(check) -> None:  # type: ignore[no-untyped-def]
    verdict = check("Spasticity in MS is usually treated with baclofen and tizanidine.", MS)
    assert verdict.label == "supported", verdict.reasons
    assert shown(verdict).startswith("Spasticity, which can occur")
    verdict = check(
        "Colchicine is most effective when taken within the first 12 hours of an acute gout "
        "attack.",
        GOUT,
    )
    assert verdict.label == "supported", verdict.reasons
    assert shown(verdict).startswith("This drug is most effective")


def test_negation_is_compared_clause_by_clause(check) -> None:  # type: ignore[no-untyped-def]
    wrong = check("Steroids slow the long-term course of MS.", MS)
    assert wrong.label == "contradicted" and any("negation" in r for r in wrong.reasons)
    assert shown(wrong).startswith("While steroids do not affect the course of MS")
    assert not check("Steroids can shorten MS attacks in some patients.", MS).contradicting
    assert check("People with heart failure should not drink alcohol.", HEART_FAILURE).label == (
        "supported"  # "shouldnt" on the page, without its apostrophe
    )


def test_a_changed_year_is_contradicted(check) -> None:  # type: ignore[no-untyped-def]
    verdict = check("Natalizumab was first approved by the FDA for relapsing MS in 2010.", MS)
    assert verdict.label == "contradicted"
    assert any("2010" in r and "2004" in r for r in verdict.reasons)
    assert "2004" in shown(verdict)
    assert check("Natalizumab was approved by the FDA in 2004.", MS).label != "contradicted"


def test_fractions_in_words(check) -> None:  # type: ignore[no-untyped-def]
    wrong = check("Copaxone can reduce the relapse rate by almost two thirds.", MS)
    assert wrong.label == "contradicted" and any("one third" in r for r in wrong.reasons)
    right = check("Copaxone can cut the MS relapse rate by almost a third.", MS)
    assert right.label in {"supported", "partial"} and not right.contradicting


def test_a_reversed_consequence_without_not(check) -> None:  # type: ignore[no-untyped-def]
    verdict = check(
        "Once blood pressure readings are normal, treatment can be stopped without raising the "
        "risk of related health problems.",
        BLOOD_PRESSURE,
    )
    assert verdict.label == "contradicted"
    assert shown(verdict).startswith("If you stop treatment")
    riskier = check("Taking asthma medicines while pregnant is riskier than an attack.", ASTHMA)
    assert riskier.label == "contradicted" and any("direction" in r for r in riskier.reasons)
    lower = check(
        "Poorly controlled asthma during pregnancy lowers the risk of preeclampsia.", ASTHMA
    )
    assert lower.label == "contradicted"
    assert check(
        "Poorly controlled asthma during pregnancy raises the risk of preeclampsia.", ASTHMA
    ).label in {"supported", "partial"}


def test_units_and_frequencies(check) -> None:  # type: ignore[no-untyped-def]
    assert (
        check(
            "Women of child-bearing age should take 400 milligrams of folic acid daily.",
            SPINA_BIFIDA,
        ).label
        == "contradicted"
    )
    assert (
        check(
            "Women of child-bearing age should take 400 micrograms of folic acid daily.",
            SPINA_BIFIDA,
        ).label
        == "supported"
    )
    days = check("t-PA can be effective if given intravenously within 3 days of symptoms.", STROKE)
    assert days.label == "contradicted" and any("3 hours" in r for r in days.reasons)
    twice = check("The usual starting dose of cabergoline is 0.25 mg twice a day.", PROLACTINOMA)
    assert twice.label == "contradicted" and any("twice a week" in r for r in twice.reasons)


def test_population_swap(check) -> None:  # type: ignore[no-untyped-def]
    verdict = check(
        "Calcitonin is approved for the treatment of osteoporosis in men.", OSTEOPOROSIS
    )
    assert verdict.label == "unsupported" and any("population" in r for r in verdict.reasons)
    assert (
        check(
            "Calcitonin is approved for osteoporosis in women at least 5 years past menopause.",
            OSTEOPOROSIS,
        ).label
        == "supported"
    )


def test_drug_swaps(check) -> None:  # type: ignore[no-untyped-def]
    other = check("The most widely known and used antiplatelet drug is clopidogrel.", STROKE)
    assert other.label == "contradicted" and any("aspirin" in r for r in other.reasons)
    assert shown(other) == "The most widely known and used antiplatelet drug is aspirin."
    absent = check(
        "Medicines used to control the heart rate include beta blockers such as propranolol.",
        ATRIAL_FIBRILLATION,
    )
    assert absent.label == "unsupported" and any("propranolol" in r for r in absent.reasons)
    misspelt = check(
        "For repeated gout attacks doctors may prescribe allopurinol, febuxostat or probenecid "
        "to lower uric acid levels.",
        GOUT,  # the page spells it "allupurinol"
    )
    assert misspelt.label == "supported", misspelt.reasons


def test_an_abbreviation_defined_elsewhere_on_the_page_aligns(check) -> None:  # type: ignore[no-untyped-def]
    # The page defines "hematopoietic stem cell transplantation (HSCT)" once, then says
    # "HSCT is successful in about 85 percent of children when the donor is related and HLA
    # matched" in another passage.
    wrong = check(
        "A stem cell transplant works in about 60 percent of children with sickle cell disease "
        "whose donor is a related HLA match.",
        SICKLE_CELL,
    )
    assert wrong.label == "contradicted" and any("85 percent" in r for r in wrong.reasons)
    assert shown(wrong).startswith("HSCT is successful")
    adults = check(
        "Stem cell transplantation succeeds in about 85 percent of adults with sickle cell "
        "disease when the related donor is HLA matched.",
        SICKLE_CELL,
    )
    assert adults.label == "unsupported" and any("population" in r for r in adults.reasons)
    metformin = check(
        "In the Diabetes Prevention Program metformin cut the risk of developing type 2 "
        "diabetes by 31 percent.",
        DIABETES_PREVENTION,  # "DPP" in the sentence that says it
    )
    assert metformin.label == "supported", metformin.reasons


@pytest.fixture(scope="module")
def abstract(shared_data: Path):  # type: ignore[no-untyped-def]
    """A SciFact abstract by id, as ``medcite eval verify`` checks claims against it."""
    wanted = {"2177022", "29564505", "4200695", "25413327", "3874000", "25254425"}
    found = {}
    with (shared_data / "scifact" / "corpus.jsonl").open(encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            if row["_id"] in wanted:
                found[row["_id"]] = TextPassage(f"{row['title']}. {row['text']}", row["_id"])
    assert set(found) == wanted
    return found


def test_a_negation_about_other_words_does_not_contradict(abstract, verifier) -> None:  # type: ignore[no-untyped-def]
    # "Soluble CCL21 functionally resembles the second CCR7 ligand, CCL19, which lacks
    # anchoring residues": the negation denies the residues, not the ligand.
    ligand = verifier.verify("CCL19 is a ligand for CCR7.", [abstract["2177022"]])
    assert ligand.label != "contradicted", ligand.reasons
    # "... were 62% (vs 24%) for those ... (vs no high biomarkers)": an aside, not a denial.
    crp = verifier.verify(
        "High levels of CRP lead to a higher risk of exacerbations in chronic obstructive "
        "pulmonary disease (COPD).",
        [abstract["29564505"]],
    )
    assert not any("negation" in r for r in crp.reasons), crp.reasons


def test_a_negation_about_the_claim_still_contradicts(check) -> None:  # type: ignore[no-untyped-def]
    verdict = check("Quick-relief medicines reduce inflammation.", ASTHMA)
    assert verdict.label == "contradicted" and any("negation" in r for r in verdict.reasons)


def test_the_sentence_that_states_a_number_differently_is_judged(check) -> None:  # type: ignore[no-untyped-def]
    # "A form of human parathyroid hormone (PTH) is approved for ... osteoporosis ... Use of
    # the drug for more than 2 years is not recommended.": the second sentence says the number.
    verdict = check(
        "Taking parathyroid hormone for more than 6 months is not recommended.", OSTEOPOROSIS
    )
    assert verdict.label == "contradicted" and any("2 years" in r for r in verdict.reasons)
    assert "2 years" in shown(verdict)


def test_a_statement_on_both_sides_of_an_axis_takes_neither(abstract, verifier) -> None:  # type: ignore[no-untyped-def]
    # "... is effective in reducing pain and improving shoulder function": "more effective in
    # reducing" says more of the reduction, not an increase of pain.
    verdict = verifier.verify(
        "Rotator cuff exercises are more effective than general exercise therapy in reducing "
        "pain and improving function of the shoulder.",
        [abstract["4200695"]],
    )
    assert not any("direction" in r for r in verdict.reasons), verdict.reasons


def test_human_as_an_adjective_is_no_population(abstract, verifier) -> None:  # type: ignore[no-untyped-def]
    # The abstract's teratomas grew "in SCID-beige mice" from human embryonic stem cells.
    verdict = verifier.verify(
        "Human embryonic stem cells give rise to cell types from all three embryonic germ layers.",
        [abstract["25413327"]],
    )
    assert not any("population" in r for r in verdict.reasons), verdict.reasons
    mice = verifier.verify(
        "High-passage H9.1 and H9.2 cells formed teratomas in humans.", [abstract["25413327"]]
    )
    assert any("population" in r for r in mice.reasons), mice.reasons


def test_a_greek_letter_spelt_out_and_an_organism_are_no_missing_drug(abstract, verifier) -> None:  # type: ignore[no-untyped-def]
    # The abstract says "β-catenin degradation"; the other one studies yeast, no drug.
    catenin = verifier.verify(
        "Stiff substrates inhibit mesodermal differentiation by degrading beta-catenin in an "
        "integrin-dependent manner.",
        [abstract["3874000"]],
    )
    assert not any(r.startswith("drugs") for r in catenin.reasons), catenin.reasons
    yeast = verifier.verify(
        "Replacement of histone H2A with H2A.Z accelerates gene activation in yeasts by "
        "destabilizing +1 nucleosomes.",
        [abstract["25254425"]],
    )
    assert not any(r.startswith("drugs") for r in yeast.reasons), yeast.reasons


def test_a_sentence_saying_it_beats_a_fused_pair_about_two_subjects(check) -> None:  # type: ignore[no-untyped-def]
    # "Long-term control medicines help reduce airway inflammation ... Quick-relief, or
    # "rescue," medicines relieve asthma symptoms" holds every word, from two subjects; the
    # page also says "Quick-relief medicines don't reduce inflammation."
    verdict = check("Quick-relief asthma medicines can reduce airway inflammation.", ASTHMA)
    assert verdict.label == "contradicted" and any("negation" in r for r in verdict.reasons)
    assert shown(verdict).startswith("Quick-relief medicines don")
    right = check("Long-term control asthma medicines reduce airway inflammation.", ASTHMA)
    assert right.label == "supported", right.reasons

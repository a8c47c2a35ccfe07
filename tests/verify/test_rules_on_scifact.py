"""The rules on SciFact *train* claims beside the abstracts they cite (read from the shared
data, never copied here): a true claim is not lowered for a reason its source does not give,
and a false one keeps the finding that shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.eval.verify import Item, load_pairs, load_scifact
from medcite.text.drugs import DrugLexicon
from medcite.verify.heuristic import HeuristicVerifier


@pytest.fixture(scope="module")
def train(shared_data: Path) -> dict[str, Item]:
    return {item.id: item for item in load_scifact(shared_data / "scifact", "train")}


@pytest.fixture(scope="module")
def rules_only(drugs: DrugLexicon) -> HeuristicVerifier:
    return HeuristicVerifier(drugs=drugs, learned=False)


def findings(verifier: HeuristicVerifier, item: Item) -> list[str]:
    """The rules' reasons (the first reason is the alignment's)."""
    return verifier.verify(item.statement, item.passages).reasons[1:]


@pytest.mark.parametrize(
    ("item_id", "rule", "why"),
    [
        ("1348-19005293", "negation", "memory, but not naive, CD4+ T cells enhance"),
        ("1162-15305881", "negation", "not only standard SSB function, but also"),
        ("1231-13905670", "negation", "despite not being associated with susceptibility"),
        ("1255-16939583", "hedge", "regulated cell autonomously, suggesting that ..."),
        ("1248-7209559", "hedge", "peaks at the growth spurt, possibly because ..."),
        ("601-12258338", "hedge", "was associated with a lower rate of ADEs"),
        ("12-33409100", "numbers", "40mg/day against a daily capsule of 40 mg"),
        ("426-16728949", "numbers", "Forkhead 0 names a family"),
        ("1028-13923140", "numbers", "Type 1 diabetes names a disease"),
        ("22-6490571", "numbers", "DSM-IV Fourth Edition; 2001-2003 in 14 countries"),
        ("646-12810152", "drugs", "homocysteine in hyperhomocysteinemia"),
        ("1229-1676568", "drugs", "matrix metalloproteases against matrix metalloprotease"),
        ("378-10534299", "drugs", "glutamate against glutamatergic transmission"),
        ("1311-13763195", "drugs", "trans-acting factors are a class, not a drug"),
        ("752-19800147", "direction", "tumor suppressive miR-193a"),
        ("55-49556906", "direction", "reduces fibrosis against accelerates its resolution"),
        ("164-5824985", "direction", "increases cancer against rapid weight loss"),
        ("39-13497630", "exclusivity", "does not solely indicate"),
        ("46-380526", "exclusivity", "a single nucleotide variant"),
        ("760-1805641", "exclusivity", "only a modest impact"),
    ],
)
def test_true_claim_is_not_lowered_for_what_its_source_does_not_dispute(
    rules_only: HeuristicVerifier, train: dict[str, Item], item_id: str, rule: str, why: str
) -> None:
    item = train[item_id]
    assert item.gold == "supported"
    fired = [reason for reason in findings(rules_only, item) if reason.startswith(rule)]
    assert not fired, why


@pytest.mark.parametrize(
    ("item_id", "rule"),
    [
        # "greatly diminish the early production" against "... enhances production".
        ("1347-19005293", "direction"),
        # "decreases telomere fragility" against "increases telomere fragility, suggesting ...".
        ("990-16472469", "direction"),
        # "Bariatric surgery reduces colorectal cancer" against "No association was detected".
        ("168-5824985", "negation"),
        # "whole fruits increases the risk" against "Greater consumption of ... whole fruits
        # ... is associated with a lower risk": "greater" is about consumption, not the risk.
        ("283-1974176", "direction"),
        # Verbs of activity: "deactivates CLEC-2" against "Activation of ... CLEC-2",
        # "impedes STING phosphorylation", "represses weak ligand signalling", "N-cadherin
        # encourages metastasis" against sources saying the opposite.
        ("1173-7370282", "direction"),
        ("542-19688024", "direction"),
        ("1386-306006", "direction"),
        ("802-22180793", "direction"),
        # A reversed direction in another sentence that restates the claim: "decreases brown
        # adipose tissue activity" against the title "... Increases Human Brown Adipose Tissue
        # Activity"; "increases thyroid volume" against the conclusion's "reduction in thyroid
        # volume".
        ("250-1568684", "direction"),
        ("1011-9745001", "direction"),
        # "worsens interference of axonal transport" against "rescues axonal transport".
        ("615-9638032", "direction"),
        # "are incapable of producing neutralizing antibodies" against "elicited ...
        # neutralizing antibodies"; "is unrelated to anxiety prevalence".
        ("853-24922825", "negation"),
        ("400-791050", "negation"),
    ],
)
def test_false_claim_keeps_its_finding(
    rules_only: HeuristicVerifier, train: dict[str, Item], item_id: str, rule: str
) -> None:
    item = train[item_id]
    assert item.gold == "contradicted"
    verdict = rules_only.verify(item.statement, item.passages)
    assert any(reason.startswith(rule) for reason in verdict.reasons[1:])
    assert verdict.label != "supported"


@pytest.mark.parametrize(
    ("item_id", "said"),
    [
        # "is associated with" against the abstract's "association ... diastolic blood pressure".
        ("607-4506414", "association"),
        # "cost effectiveness evaluations" against "to evaluate ... cost-effectiveness".
        ("292-15048300", "evaluate"),
    ],
)
def test_a_paraphrase_in_another_derived_form_aligns(
    rules_only: HeuristicVerifier, train: dict[str, Item], item_id: str, said: str
) -> None:
    item = train[item_id]
    assert item.gold == "supported"
    verdict = rules_only.verify(item.statement, item.passages)
    assert verdict.label == "supported", said


@pytest.mark.parametrize(
    ("item_id", "said"),
    [
        ("867-14340571", "coeliac against celiac"),
        ("1383-17755060", "tumour against tumor"),
    ],
)
def test_a_british_spelling_aligns_with_the_american_one(
    rules_only: HeuristicVerifier, train: dict[str, Item], item_id: str, said: str
) -> None:
    item = train[item_id]
    assert item.gold == "supported"
    assert rules_only.verify(item.statement, item.passages).label != "unsupported", said


def test_an_abbreviation_the_statement_defines_aligns_with_the_source_using_it(
    rules_only: HeuristicVerifier, train: dict[str, Item]
) -> None:
    # "break-induced DNA replication (BIR)" against an abstract that writes "BIR".
    item = train["1003-4899981"]
    assert item.gold == "supported"
    assert rules_only.verify(item.statement, item.passages).label == "supported"


def test_a_negated_direction_in_a_restatement_is_no_reversal(
    rules_only: HeuristicVerifier,
) -> None:
    # A generated pair (MedQuAD "Targeted therapy"): the first sentence restates most of the
    # statement, and its "without harming normal cells" is no harm that "helps" would reverse.
    pairs = Path(__file__).parents[2] / "eval" / "verify" / "pairs.jsonl"
    item = next(i for i in load_pairs(pairs) if i.id == "removed_hedge-26")
    assert not [r for r in findings(rules_only, item) if r.startswith("direction")]

from __future__ import annotations

from pathlib import Path

from medcite.text.drugs import DrugLexicon
from medcite.verify import signals


def test_quantities_normalise_units_and_frequencies() -> None:
    found = {
        (q.unit, q.low, q.high)
        for q in signals.quantities(
            "Give 10 mg twice daily (every 12 hours) for 12 weeks; 5-10% of 1,200 patients in 2019."
        )
    }
    assert ("mg", 10, 10) in found
    assert ("/day", 2, 2) in found
    assert ("week", 12, 12) in found
    assert ("%", 5, 10) in found
    assert ("", 1200, 1200) in found
    assert ("calendar year", 2019, 2019) in found  # a date, compared only with dates


def test_quantity_ranges_overlap() -> None:
    (single,) = signals.quantities("10 mg")
    (span,) = signals.quantities("5 to 10 mg")
    (other,) = signals.quantities("20 mg")
    assert single.matches(span) and not single.matches(other)


def test_negation_counts_cues() -> None:
    assert signals.is_negated("The trial failed to show a benefit.")
    assert signals.is_negated("There is no evidence of benefit.")
    assert not signals.is_negated("Treatment improved survival.")


def test_negation_skips_asides_and_names_what_it_negates() -> None:
    assert not signals.is_negated("Risks were 62% (vs 24%) for those with (vs no) biomarkers.")
    negated = signals.negated_words("Steroids do not affect the course of MS over time.")
    assert negated == {"affect", "cours", "ms", "time"}
    assert "relaps" in signals.negated_words("Interferon did not reduce relapses.")
    assert "ligand" not in signals.negated_words("CCL19, which lacks anchoring residues.")


def test_hedges_exclusivity_approvals_populations() -> None:
    assert signals.hedges("Drug X has shown promise in early trials")
    assert not signals.hedges("Drug X reduced mortality.")
    assert signals.exclusivity("No other treatments are available for this condition.")
    assert signals.exclusivity("It is the first-line therapy.")
    assert not signals.exclusivity("It is one of several options.")
    assert signals.approvals("Drug X is FDA-approved for migraine.")
    assert signals.populations("Safe in pregnant women and children") == {
        "pregnant women",
        "women",
        "children",
    }


def test_drug_lexicon_finds_generic_and_brand_names_and_caches(tmp_path: Path) -> None:
    lexicon = DrugLexicon.load(tmp_path)
    assert lexicon.available
    assert lexicon.find("Ocrevus (ocrelizumab) and natalizumab") >= {"ocrelizumab", "natalizumab"}
    assert not lexicon.find("The patients were followed for two years.")
    assert any(tmp_path.iterdir())  # the compact copy was written for the next process


def test_a_damaged_lexicon_cache_is_rebuilt(tmp_path: Path) -> None:
    from medcite.text.drugs import _CACHE_NAME

    (tmp_path / _CACHE_NAME).write_bytes(b"not a pickle")
    lexicon = DrugLexicon.load(tmp_path)
    assert "natalizumab" in lexicon.find("Natalizumab (Tysabri) was approved in 2004.")
    assert (tmp_path / _CACHE_NAME).stat().st_size > 1000

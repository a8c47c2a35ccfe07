from __future__ import annotations

from pathlib import Path

from medcite.text.drugs import DrugLexicon
from medcite.verify import signals
from medcite.verify.quantities import with_daily_doses


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


def test_not_only_but_also_adds_and_does_not_negate() -> None:
    assert not signals.is_negated(
        "DdrB may encompass not only standard SSB protein function in protection of ssDNA, "
        "but also more specialized roles in protein recruitment."
    )
    # Without its "but", "not only" still denies an "only".
    assert signals.is_negated("C-reactive protein is not only present during inflammation.")


def test_trailing_inference_is_a_subordinate_clause_that_keeps_its_hedge() -> None:
    main, inference = signals.clauses(
        "This mechanism is regulated cell autonomously in culture, suggesting that primate "
        "cerebral cortex size is regulated at the level of progenitor cell output."
    )
    assert not main.subordinate and not signals.hedges(main.text)
    assert inference.subordinate and signals.hedges(inference.text) == ["suggesting"]


def test_ordinals_and_large_n_in_m_are_no_fractions() -> None:
    assert (
        signals.quantities("Mental Disorders, Fourth Edition (DSM-IV), in the third trimester")
        == []
    )
    units = {q.unit for q in signals.quantities("surveys conducted from 2001-2003 in 14 countries")}
    assert "%" not in units
    assert [q.low for q in signals.quantities("one in 5 patients")] == [20.0]


def test_a_number_in_a_name_is_marked() -> None:
    names = {
        q.text: q.names for q in signals.quantities("Type 1 diabetes, HIV-1, 6MP and 300 of them")
    }
    assert names == {"1": True, "6": True, "300": False}


def test_a_once_daily_mass_is_a_daily_dose() -> None:
    (dose,) = signals.quantities("40mg/day of folic acid")
    source = signals.quantities("a daily capsule containing 40 mg of folic acid")
    assert not any(dose.matches(q) for q in source)
    assert any(dose.matches(q) for q in with_daily_doses(source))
    assert with_daily_doses(signals.quantities("40 mg of folic acid")) == signals.quantities(
        "40 mg of folic acid"
    )


def test_exclusivity_not_denied_belittling_or_a_kind() -> None:
    for text in (
        "A diminished ovarian reserve does not solely indicate infertility.",
        "Artemisinin combination therapy has only a modest impact on transmission.",
        "A single nucleotide variant in DGKK is associated with hypospadias.",
    ):
        assert signals.exclusivity(text) == [], text
    assert signals.exclusivity("Ocrelizumab is the only approved therapy.") == ["only"]


def test_tumor_suppressor_is_no_direction() -> None:
    assert signals.directions("Major vault protein sorts tumor suppressive miR-193a.") == set()
    up = signals.directions("Memory CD4+ T cells enhance production of chemokines.")
    down = signals.directions("Memory CD4+ T cells diminish production of chemokines.")
    assert signals.opposed(down, up) is not None


def test_derived_forms_share_a_stem() -> None:
    same = [
        ("expressed", "expression"),
        ("associated", "association"),
        ("effective", "effect"),
        ("efficacy", "effect"),
        ("transcriptional", "transcription"),
        ("proliferative", "proliferating"),
    ]
    for a, b in same:
        assert signals.word_stem(a) == signals.word_stem(b), (a, b)
    assert signals.word_stem("active") != signals.word_stem("act")  # five letters stay


def test_british_and_american_spellings_share_a_stem() -> None:
    for british, american in [
        ("tumours", "tumors"),
        ("randomised", "randomized"),
        ("haemoglobin", "hemoglobin"),
        ("oestrogen", "estrogen"),
        ("diarrhoea", "diarrhea"),
    ]:
        assert signals.word_stem(british) == signals.word_stem(american)
    assert signals.word_stem("hours") == "hour"  # short words keep their spelling


def test_a_direction_is_about_the_words_beside_it() -> None:
    source = "metformin therapeutically accelerates the resolution of well-established fibrosis"
    amount_up = (0, 0)
    assert {"resolution", "therapeutical"} <= signals.directed_at(source, amount_up)
    assert "fibrosis" not in signals.directed_at(source, amount_up)  # three words on
    assert signals.directed_at("testing is more sensitive", amount_up) == {"test", "sensit"}


def test_a_direction_is_reversed_only_about_what_the_statement_directs_it_at() -> None:
    said = "Consumption of whole fruits increases the risk of type 2 diabetes"
    # SciFact train 283 (corpus 1974176): "greater" is about consumption, "lower" the risk.
    source = (
        "Greater consumption of specific whole fruits, particularly blueberries, is "
        "significantly associated with a lower risk of type 2 diabetes"
    )
    assert signals.reversed_direction(said, source) == (0, 0)
    assert signals.reversed_direction(said, "Greater consumption raised the risk") is None
    assert signals.reversed_direction(said, "Whole fruits lower the risk") == (0, 0)

"""Abbreviations a source defines, read both ways."""

from __future__ import annotations

from medcite.verify.abbreviations import defined, defined_in, expanded
from medcite.verify.signals import content_stems


def test_the_long_form_is_the_shortest_run_of_words_holding_the_letters() -> None:
    found = defined(
        "At the present time, hematopoietic stem cell transplantation (HSCT) is the only cure "
        "for SCD. The results of the Diabetes Prevention Program (DPP) proved that weight loss "
        "can delay type 2 diabetes."
    )
    assert found == {
        "hsct": content_stems("hematopoietic stem cell transplantation"),
        "dpp": content_stems("Diabetes Prevention Program"),
    }


def test_parentheses_that_define_nothing_are_ignored() -> None:
    assert defined("One monoclonal antibody, natalizumab (Tysabri), was approved.") == {}
    assert defined("Inhibin B levels (n = 737) were not associated with conception.") == {}
    assert defined("people with a history of stroke (see below) were excluded") == {}


def test_a_sentence_gains_the_other_form() -> None:
    abbreviations = defined_in(["hematopoietic stem cell transplantation (HSCT) cures SCD"])
    short = content_stems("HSCT is successful in children")
    assert {"stem", "cell", "transplant"} <= expanded(short, frozenset({"hsct"}), abbreviations)
    long = content_stems("stem cell transplantation with a hematopoietic graft")
    assert "hsct" in expanded(long, frozenset(), abbreviations)

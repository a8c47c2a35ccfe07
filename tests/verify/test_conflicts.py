from __future__ import annotations

from medcite.text.drugs import DrugLexicon
from medcite.verify.base import TextPassage
from medcite.verify.conflicts import find_conflicts


def kinds(cited: list[tuple[int, TextPassage]], drugs: DrugLexicon) -> dict[str, list[int]]:
    return {str(c["kind"]): list(c["references"]) for c in find_conflicts(cited, drugs)}  # type: ignore[arg-type]


def test_different_doses_of_the_same_drug_and_route(drugs: DrugLexicon) -> None:
    found = kinds(
        [
            (1, TextPassage("Oral metformin 500 mg twice daily lowered HbA1c.", "a")),
            (2, TextPassage("Patients took metformin tablets 1000 mg once daily.", "b")),
        ],
        drugs,
    )
    assert found["dose"] == [1, 2] and found["frequency"] == [1, 2]


def test_same_dose_or_other_route_is_no_conflict(drugs: DrugLexicon) -> None:
    found = kinds(
        [
            (1, TextPassage("Oral methotrexate 15 mg once weekly was given.", "a")),
            (2, TextPassage("Methotrexate 15 mg once weekly by mouth is usual.", "b")),
            (3, TextPassage("Intravenous methotrexate 1000 mg was used in lymphoma.", "c")),
        ],
        drugs,
    )
    assert "dose" not in found and "frequency" not in found


def test_opposite_findings_for_the_same_intervention(drugs: DrugLexicon) -> None:
    found = kinds(
        [
            (1, TextPassage("Aspirin reduced the risk of stroke in older adults.", "a")),
            (2, TextPassage("Aspirin did not reduce the risk of stroke in older adults.", "b")),
        ],
        drugs,
    )
    assert found["finding"] == [1, 2]


def test_agreeing_findings_are_no_conflict(drugs: DrugLexicon) -> None:
    found = kinds(
        [
            (1, TextPassage("Aspirin reduced the risk of stroke in older adults.", "a")),
            (2, TextPassage("In older adults, aspirin reduced stroke risk.", "b")),
        ],
        drugs,
    )
    assert "finding" not in found


def test_disagreeing_approval_statements(drugs: DrugLexicon) -> None:
    found = kinds(
        [
            (
                1,
                TextPassage(
                    "Ocrelizumab is the only approved therapy for progressive multiple sclerosis.",
                    "a",
                ),
            ),
            (
                2,
                TextPassage(
                    "Siponimod is approved for active secondary progressive multiple sclerosis.",
                    "b",
                ),
            ),
        ],
        drugs,
    )
    assert found["approval"] == [1, 2]


def test_one_reference_never_conflicts_with_itself(drugs: DrugLexicon) -> None:
    text = "Metformin 500 mg was compared with metformin 1000 mg. Aspirin did not reduce pain."
    assert find_conflicts([(1, TextPassage(text, "a"))], drugs) == []

"""Audience tailoring on the real fixture corpus: order, patient notes, citations, grades."""

from __future__ import annotations

import re
from dataclasses import dataclass

import jsonschema
import pytest

from medcite.compose.audience import FIRST_KINDS, tailor_sections
from medcite.config import AUDIENCES
from medcite.models import Answer
from medcite.question.intent import DOSE
from medcite.reader.glossary import explain
from medcite.reader.notes import TALK_TO_CARE_TEAM
from medcite.service import Engine
from medcite.text.readability import fk_grade

MS = (
    "What are the treatment options for progressive multiple sclerosis "
    "(primary-progressive and secondary-progressive)?"
)


@dataclass
class _Sentence:
    text: str


TREATMENT_SECTIONS = [
    ("Treatment options", "first_line", [_Sentence("Drug A is approved for it.")]),
    ("Dosing", "dosing", [_Sentence("Give 300 mg every six months by infusion.")]),
    ("Before starting treatment", "pre_treatment", [_Sentence("Screen for hepatitis B first.")]),
    ("Emerging", "emerging", [_Sentence("Drug B is being studied in trials.")]),
    ("Symptomatic management", "symptomatic", [_Sentence("Exercise helps with fatigue.")]),
    ("Safety and clinical pitfalls", "pitfalls", [_Sentence("Infections are a risk.")]),
]


def _kinds(audience: str) -> list[str]:
    return [kind for _, kind, _ in tailor_sections(audience, list(TREATMENT_SECTIONS))]


def test_each_audience_gets_its_own_section_order() -> None:
    assert _kinds("clinician") == [
        "first_line",
        "dosing",
        "pre_treatment",
        "pitfalls",
        "emerging",
        "symptomatic",
    ]
    assert _kinds("pharmacist")[:3] == ["first_line", "dosing", "pre_treatment"]
    assert _kinds("patient") == [
        "first_line",
        "symptomatic",
        "pitfalls",
        "pre_treatment",
        "emerging",
    ]
    assert _kinds("student") == [k for _, k, _ in TREATMENT_SECTIONS]  # textbook order
    assert set(FIRST_KINDS) == set(AUDIENCES)


def test_patients_get_no_doses_and_plain_titles() -> None:
    tailored = tailor_sections("patient", list(TREATMENT_SECTIONS))
    texts = [m.text for _, _, members in tailored for m in members]
    assert not any("mg" in t for t in texts)
    titles = [title for title, _, _ in tailored]
    assert "Possible risks" in titles and "Managing symptoms" in titles


def test_a_short_answer_in_long_words_is_kept_for_patients() -> None:
    # NINDS hemifacial spasm page: grade 12.7 for being short in long words, and the answer
    answer = "Drug therapy is generally not effective."
    sections = [("Treatment options", "first_line", [_Sentence(answer)])]
    tailored = tailor_sections("patient", sections)
    assert [m.text for _, _, members in tailored for m in members] == [answer]


def _statements(answer: Answer) -> list:
    return [answer.bottom_line, *(s for sec in answer.sections for s in sec.statements)]


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_audience_keeps_citations_on_every_statement(
    reader_engine: Engine, answer_schema: dict, audience: str
) -> None:
    answer = reader_engine.answer(MS, audience=audience)
    jsonschema.validate(answer.to_dict(), answer_schema)
    assert answer.audience == audience
    for statement in _statements(answer):
        assert statement.citations, statement.text
        for evidence in statement.evidence:  # still verbatim in the cited passage
            (reference,) = [r for r in answer.references if r.n == evidence.n]
            (passage,) = [p for p in reference.passages if p.passage_id == evidence.passage_id]
            assert passage.text[evidence.start : evidence.end] == evidence.quote
    assert answer.engine["readability"]["fk_grade"] == fk_grade(
        "\n".join(s.text for s in _statements(answer))
    )


def test_patient_answer_has_notes_no_doses_and_is_plainer(reader_engine: Engine) -> None:
    clinician = reader_engine.answer(MS, audience="clinician")
    patient = reader_engine.answer(MS, audience="patient")
    kinds = [n["kind"] for n in patient.audience_notes]
    assert kinds[:2] == ["talk_to_care_team", "ask_your_clinician"]
    assert patient.audience_notes[0]["text"] == TALK_TO_CARE_TEAM
    assert clinician.audience_notes == []
    assert "dosing" in [s.kind for s in clinician.sections]
    assert "dosing" not in [s.kind for s in patient.sections]
    shown = "\n".join(s.text for s in _statements(patient))
    assert not re.search(DOSE, shown)
    for note in patient.audience_notes:
        if note["kind"] == "what_this_means":
            term = note["title"].split("“")[1].split("”")[0]
            assert term in shown or term.lower() in shown.lower()
    assert patient.engine["readability"]["fk_grade"] < clinician.engine["readability"]["fk_grade"]
    consumer = sum(r.document.evidence_level.value == "consumer" for r in patient.references)
    assert consumer >= len(patient.references) / 2


def test_glossary_explains_abbreviations_case_sensitively() -> None:
    found = dict(explain("Patients with MS had an MRI and chronic pain from NSAIDs."))
    assert {"MS", "MRI", "chronic", "NSAIDs"} <= set(found)
    assert "MS" not in dict(explain("The dose was 5 ms long."))


def test_fk_grade_ranks_plain_below_technical_text() -> None:
    plain = fk_grade("Gout is a kind of arthritis. It makes your joints hurt.")
    technical = fk_grade(
        "Natalizumab is associated with progressive multifocal leukoencephalopathy in "
        "immunocompromised individuals receiving concomitant immunosuppressive therapy."
    )
    assert plain is not None and technical is not None and plain < 8 < technical

"""Audience notes: citation-free notes for who is reading, and the answer's reading grade.

For patients: a "talk to your care team" note always, an "ask your clinician" pointer where
doses were left out, and "what this means" notes for jargon found in the statements (never
inside a quoted statement, so a citation still supports its exact text). Readability is
textstat's Flesch-Kincaid grade over the bottom line and statements (the notes are excluded,
so the grade is that of the cited evidence).
"""

from __future__ import annotations

from medcite.models import Answer
from medcite.reader.glossary import explain
from medcite.text.readability import fk_grade

MAX_GLOSSARY_NOTES = 8
TALK_TO_CARE_TEAM = (
    "Talk to your care team (your doctor, nurse or pharmacist) before you start, stop or "
    "change any treatment. This summary helps you prepare questions; it is not a plan for you."
)
ASK_YOUR_CLINICIAN = (
    "Doses are left out here on purpose. Ask your clinician or pharmacist which dose is right "
    "for you; it depends on your health, weight and other medicines."
)
DOSING_INTENTS = frozenset({"treatment", "dosing", "interactions"})


def notes_for(answer: Answer) -> list[dict[str, str]]:
    """Citation-free notes for the answer's audience (patients only, for now)."""
    if answer.audience != "patient":
        return []
    notes = [
        {"kind": "talk_to_care_team", "title": "Talk to your care team", "text": TALK_TO_CARE_TEAM}
    ]
    if answer.intent in DOSING_INTENTS:
        notes.append(
            {"kind": "ask_your_clinician", "title": "About doses", "text": ASK_YOUR_CLINICIAN}
        )
    for term, meaning in explain(answer_text(answer))[:MAX_GLOSSARY_NOTES]:
        notes.append({"kind": "what_this_means", "title": f"What “{term}” means", "text": meaning})
    return notes


def answer_text(answer: Answer) -> str:
    """The bottom line and every statement, one per line."""
    statements = [answer.bottom_line, *(s for sec in answer.sections for s in sec.statements)]
    return "\n".join(s.text for s in statements)


def tailor_answer(answer: Answer) -> None:
    """Add the audience's notes and the readability grade to a composed answer."""
    answer.audience_notes = notes_for(answer)
    answer.engine["readability"] = {"fk_grade": fk_grade(answer_text(answer))}

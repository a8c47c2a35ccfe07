"""Audience tailoring: the same evidence, ordered and framed for who is reading.

Statements stay verbatim source sentences with their citations for every audience; what
changes is which sentences are preferred, the order of sections, section titles and, for
patients, citation-free notes that are clearly marked as such:

- clinicians: after the main section, dosing, work-up and pitfalls first;
- pharmacists: dosing, interactions and contraindications/monitoring first;
- nurses: administration, monitoring and symptom management first;
- students: features, causes and work-up first (the textbook order);
- patients: consumer sources (MedQuAD NIH pages) and short sentences are preferred; sentences
  with doses are left out and replaced by an "ask your clinician" pointer; section titles are
  plain; jargon and abbreviations found in the statements are explained in "what this means"
  notes (never inside a quoted statement, so a citation still supports its exact text); and
  a "talk to your care team" note is always shown.

The notes themselves and the answer's readability grade are added after composing, by
:mod:`medcite.reader.notes`.
"""

from __future__ import annotations

import re
from typing import Protocol, TypeVar

from medcite.models import Document, EvidenceLevel
from medcite.question.intent import DOSE
from medcite.text.readability import fk_grade

# Section kinds shown right after an answer's main section, in this order; others follow in
# their template order.
FIRST_KINDS: dict[str, tuple[str, ...]] = {
    "clinician": ("dosing", "pre_treatment", "workup", "pitfalls", "serious", "differential"),
    "pharmacist": ("dosing", "interactions", "pre_treatment", "serious", "pitfalls", "safety"),
    "nurse": ("dosing", "pre_treatment", "symptomatic", "pitfalls", "serious"),
    "student": ("clinical", "causes", "workup", "differential", "findings"),
    "patient": ("symptomatic", "outlook", "prevention", "safety", "pitfalls", "serious"),
}
PLAIN_TITLES: dict[str, str] = {
    "first_line": "Treatment options",
    "pre_treatment": "Before starting treatment",
    "emerging": "Treatments being studied",
    "symptomatic": "Managing symptoms",
    "pitfalls": "Possible risks",
    "serious": "Serious side effects",
    "safety": "Side effects",
    "evidence_gap": "What is not known yet",
    "workup": "Tests",
    "differential": "Conditions that can look similar",
    "clinical": "Signs and symptoms",
    "outlook": "Outlook",
    "prognostic_factors": "What affects the outlook",
    "findings": "What the studies found",
    "null_findings": "Where studies disagree or found no effect",
    "interactions": "Mixing with other medicines",
}
_DOSE = re.compile(DOSE, re.IGNORECASE)
CONSUMER_BONUS = 0.3
DOSE_PENALTY = 1.0
PLAIN_WORDS = 25  # patients: sentences longer than this lose a little per extra word
LONG_SENTENCE_PENALTY = 0.02
TARGET_GRADE = 8.0  # Flesch-Kincaid grade patient answers aim for
GRADE_PENALTY = 0.1  # per grade above the target
# Patients are not shown sentences harder than this; short ones in long words ("Drug therapy
# is generally not effective.") read near 13.
PATIENT_MAX_GRADE = 14.0
PATIENT_PER_SECTION = 4
PATIENT_MIN_STATEMENTS = 3  # a plainer answer is not bought by leaving nothing to read


class _HasText(Protocol):
    text: str


T = TypeVar("T", bound=_HasText)
Sections = list[tuple[str, str, list[T]]]


def source_bonus(audience: str, document: Document) -> float:
    """Score added to sentences of ``document`` (patients prefer consumer pages)."""
    if audience == "patient" and document.evidence_level is EvidenceLevel.CONSUMER:
        return CONSUMER_BONUS
    return 0.0


def sentence_bonus(audience: str, text: str) -> float:
    """Score added to one sentence (patients: no doses; short, plain sentences)."""
    if audience != "patient":
        return 0.0
    penalty = DOSE_PENALTY if _DOSE.search(text) else 0.0
    penalty += LONG_SENTENCE_PENALTY * max(0, len(text.split()) - PLAIN_WORDS)
    grade = fk_grade(text)
    penalty += GRADE_PENALTY * max(0.0, (grade or 0.0) - TARGET_GRADE)
    return -penalty


def tailor_sections(audience: str, sections: Sections[T], lead: str = "") -> Sections[T]:
    """Sections reordered for ``audience``; for patients, without dose sentences, with plain
    titles and, while the answer (``lead``, the bottom line, included) reads above
    ``TARGET_GRADE``, without its hardest statements. The first (main) section stays first."""
    if audience == "patient":
        sections = [
            (_plain_title(title, kind), kind, kept[:PATIENT_PER_SECTION])
            for title, kind, members in sections
            if kind != "dosing"
            if (kept := [m for m in members if _plain_enough(m.text)])
        ]
        sections = _within_grade(lead, sections)
    if not sections:
        return sections
    main_kind = sections[0][1]
    first = FIRST_KINDS.get(audience, ())

    def rank(item: tuple[int, tuple[str, str, list[T]]]) -> tuple[int, int]:
        position, (_title, kind, _members) = item
        if kind == main_kind:
            return (0, position)
        return (1 + first.index(kind), position) if kind in first else (len(first) + 1, position)

    return [section for _, section in sorted(enumerate(sections), key=rank)]


def _within_grade(lead: str, sections: Sections[T]) -> Sections[T]:
    """Drop the hardest statement while the whole answer reads above ``TARGET_GRADE`` and
    more than ``PATIENT_MIN_STATEMENTS`` remain (statements stay verbatim: a hard one is left
    out, never reworded)."""
    members = [m for _, _, chosen in sections for m in chosen]

    def grade(kept: list[T]) -> float:
        return fk_grade("\n".join([lead, *(m.text for m in kept)])) or 0.0

    while len(members) > PATIENT_MIN_STATEMENTS and grade(members) > TARGET_GRADE:
        members.remove(max(members, key=lambda m: fk_grade(m.text) or 0.0))
    kept = {id(m) for m in members}
    return [
        (title, kind, chosen)
        for title, kind, members_ in sections
        if (chosen := [m for m in members_ if id(m) in kept])
    ]


def _plain_enough(text: str) -> bool:
    """No dose, and not far above the reading grade patients are written for."""
    grade = fk_grade(text)
    return not _DOSE.search(text) and (grade is None or grade <= PATIENT_MAX_GRADE)


def _plain_title(title: str, kind: str) -> str:
    plain = PLAIN_TITLES.get(kind)
    if plain is None:
        return title
    _, sep, label = title.partition(": ")
    return f"{plain}: {label}" if sep else plain

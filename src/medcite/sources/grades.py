"""Recommendation strengths and evidence grades as guidelines state them.

`find_grades(text)` returns every statement of a grade with its span, worded as the text
words it (whitespace normalised): GRADE's "strong recommendation" / "conditional
recommendation" / "moderate-certainty evidence", "Level A" / "Level of evidence: B",
"Grade 1A" / "Grade B", and ACC/AHA "COR IIa" / "LOE B-R". Guideline readers store the
spans in document metadata, and each cited passage shows the grades stated inside it.
"""

from __future__ import annotations

import re

from medcite.sources.blocks import flat

GRADE_PATTERNS: tuple[str, ...] = (
    # GRADE: strength of a recommendation, and certainty (quality) of the evidence
    r"\b(?:strong|conditional|weak|discretionary)\s+recommendations?\b",
    r"\brecommendation\s+strength\s*[:=]?\s*(?:strong|conditional|weak)\b",
    r"\b(?:high|moderate|low|very[ -]low)[ -](?:quality|certainty)\s+(?:of\s+)?evidence\b",
    r"\b(?:quality|certainty)\s+of\s+(?:the\s+)?evidence\s*[:=]?\s*"
    r"(?:high|moderate|low|very low)\b",
    # "Level A", "Level of evidence: B", "Level of evidence 2a"
    r"\blevel\s+of\s+evidence\s*[:=]?\s*(?:[A-C]|[1-5][a-c]?|IV|V|I{1,3})\b",
    r"\bLevel\s+[A-C]\b",
    # "Grade 1A", "Grade B" (recommendation grades; "grade 3 toxicity" has no letter)
    r"\bGrade\s+(?:[12][A-C]|[A-D])\b",
    # ACC/AHA class of recommendation and level of evidence
    r"\bCOR\s+(?:IIa|IIb|III|I)\b",
    r"\bLOE\s+(?:A|B-R|B-NR|C-LD|C-EO)\b",
)
_GRADE = re.compile("|".join(f"(?:{p})" for p in GRADE_PATTERNS), re.IGNORECASE)
_CASE_SENSITIVE = re.compile(r"^(?:Level\s+[A-C]|Grade\s+\S+|COR\s+\S+|LOE\s+\S+)$")


def find_grades(text: str, offset: int = 0) -> list[tuple[int, int, str]]:
    """``(start, end, wording)`` of every grade stated in ``text``; offsets shifted by
    ``offset``. "Level", "Grade", "COR" and "LOE" must be capitalised as guidelines write
    them ("level a" in running text is not a grade)."""
    found = []
    for match in _GRADE.finditer(text):
        wording = flat(match.group())
        short = wording.split()[0].lower() in {"level", "grade", "cor", "loe"}
        if short and "evidence" not in wording.lower() and not _CASE_SENSITIVE.match(wording):
            continue
        found.append((match.start() + offset, match.end() + offset, wording))
    return found

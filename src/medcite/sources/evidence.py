"""Evidence level of a document, from the strongest signal available.

1. PubMed publication types, when there are any: the strongest matching level wins
   (a "Review" that is also a "Meta-Analysis" is a systematic review).
2. The collection: consumer pages (MedQuAD) and drug labels have a level by nature.
3. Otherwise (PubMedQA, SciFact, generic JSONL without types) cue phrases: the title first,
   then the text, strongest level first. Cues that abstracts often use about *other*
   work (a "guideline" they followed, a "review" they cite) count only in the title.
4. Otherwise OTHER.

All rules are in the three tables below.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from medcite.models import EvidenceLevel as L

# Strongest first; PubMed publication type names, compared case-insensitively.
PUBLICATION_TYPE_RULES: tuple[tuple[L, tuple[str, ...]], ...] = (
    (
        L.GUIDELINE,
        (
            "Practice Guideline",
            "Guideline",
            "Consensus Development Conference",
            "Consensus Development Conference, NIH",
        ),
    ),
    (L.SYSTEMATIC_REVIEW, ("Meta-Analysis", "Network Meta-Analysis", "Systematic Review")),
    (
        L.RCT,
        (
            "Randomized Controlled Trial",
            "Randomized Controlled Trial, Veterinary",
            "Pragmatic Clinical Trial",
            "Equivalence Trial",
            "Clinical Trial, Phase III",
        ),
    ),
    (
        L.COHORT,
        (
            "Observational Study",
            "Observational Study, Veterinary",
            "Cohort Study",
            "Comparative Study",
            "Controlled Clinical Trial",
            "Clinical Trial",
            "Clinical Trial, Phase I",
            "Clinical Trial, Phase II",
            "Clinical Trial, Phase IV",
            "Clinical Study",
            "Multicenter Study",
        ),
    ),
    (L.CASE, ("Case Reports",)),
    (L.REVIEW, ("Review", "Scoping Review")),
    (L.LABEL, ("Drug Label", "Product Label", "Prescribing Information")),
    (L.CONSUMER, ("Patient Education Handout",)),
)

COLLECTION_RULES: dict[str, L] = {
    "medquad": L.CONSUMER,
    "medlineplus": L.CONSUMER,
    "dailymed": L.LABEL,
    "openfda": L.LABEL,
    "spl": L.LABEL,
    "drug-labels": L.LABEL,
}

# (level, where, alternative patterns), strongest first; case-insensitive.
# where: "title" = title only; "any" = title, and text when no title cue matched.
# Text cues prefer first-person or singular phrasing ("patients were randomized", "we
# report a case") because abstracts mention other designs in the plural ("previous trials").
CUE_RULES: tuple[tuple[L, str, tuple[str, ...]], ...] = (
    (
        L.GUIDELINE,
        "title",
        (
            r"\b(?:practice|clinical|consensus) guidelines?\b",
            r"\bguidelines? for\b",
            r"\b(?:consensus|position) statement\b",
            r"\brecommendations from\b",
        ),
    ),
    (L.SYSTEMATIC_REVIEW, "any", (r"\bsystematic(?:al)? review", r"\bmeta-?analys[ie]s\b")),
    (L.RCT, "title", (r"\brandomi[sz]ed\b", r"\bRCT\b")),
    (
        L.RCT,
        "any",
        (
            r"\brandomi[sz]ed,?(?: [\w-]+,?){0,5} trial\b",
            r"\b(?:were|was) randomi[sz]ed\b",
            r"\brandomly (?:assigned|allocated)\b",
        ),
    ),
    (
        L.COHORT,
        "any",
        (r"\bcohort\b", r"\b(?:prospective|retrospective|observational|case-control) study\b"),
    ),
    (L.CASE, "title", (r"\bcase reports?\b", r"\ba case of\b")),
    (
        L.CASE,
        "any",
        (r"\bcase report\b", r"\bwe (?:report|describe|present) (?:a|an|the) (?:case|patient)\b"),
    ),
    (L.REVIEW, "title", (r"\breview\b",)),
)

_TYPE_LEVEL: dict[str, L] = {
    name.lower(): level for level, names in PUBLICATION_TYPE_RULES for name in names
}
_CUES = tuple(
    (level, where, re.compile("|".join(patterns), re.IGNORECASE))
    for level, where, patterns in CUE_RULES
)
_STRENGTH = {level: rank for rank, level in enumerate(L)}


def evidence_level(
    publication_types: Sequence[str], collection: str, title: str = "", text: str = ""
) -> L:
    """Classify a document's evidence level; see the module docstring for the precedence.

    ``publication_types`` are PubMed names (e.g. "Randomized Controlled Trial"); unknown
    names are ignored. ``collection`` is matched case-insensitively against the collection
    table. ``title`` and ``text`` are only read when neither of those decides.
    """
    typed = [_TYPE_LEVEL[t.lower()] for t in publication_types if t.lower() in _TYPE_LEVEL]
    if typed:
        return min(typed, key=_STRENGTH.__getitem__)
    by_collection = COLLECTION_RULES.get(collection.lower())
    if by_collection:
        return by_collection
    for level, _, pattern in _CUES:
        if pattern.search(title):
            return level
    for level, where, pattern in _CUES:
        if where == "any" and pattern.search(text):
            return level
    return L.OTHER

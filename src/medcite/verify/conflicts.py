"""Where passages disagree with each other: different doses or frequencies for the same drug and
route, opposite findings for the same intervention and outcome, approval statements that
disagree. Only pairs from different references count; heuristic, like the verifier.

    conflicts = find_conflicts([(1, passage_a), (2, passage_b)], DrugLexicon.load())
    # [{"summary": "Different doses of metformin (oral): 500 mg [1] vs 1000 mg [2]",
    #   "references": [1, 2], "kind": "dose"}]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from medcite.text.drugs import DrugLexicon
from medcite.text.sentences import split_sentences
from medcite.text.terms import jaccard, overlap
from medcite.verify import signals
from medcite.verify.base import PassageLike

DOSE_UNITS = frozenset({"mg", "mg/kg", "mg/m2", "mg/day", "mcg", "g", "iu", "unit", "/day"})
SAME_FINDING = 0.4  # Jaccard of non-drug content stems for two sentences to share a finding
MIN_FINDING_WORDS = 4  # shorter sentences ("Bisphosphonates.") state no finding
_ROUTES = {
    "oral": r"oral(?:ly)?|by mouth|p\.?o\.?|tablets?|capsules?",
    "intravenous": r"intravenous(?:ly)?|i\.?v\.?|infusions?",
    "subcutaneous": r"subcutaneous(?:ly)?|s\.?c\.?|injections? under the skin",
    "intramuscular": r"intramuscular(?:ly)?|i\.?m\.?",
    "inhaled": r"inhaled|inhalation|nebuli[sz]ed",
    "topical": r"topical(?:ly)?|cream|ointment",
    "intrathecal": r"intrathecal(?:ly)?",
}
_ROUTE = [
    (name, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)) for name, pattern in _ROUTES.items()
]


@dataclass(frozen=True, slots=True)
class _Sentence:
    n: int
    text: str
    drugs: frozenset[str]
    stems: frozenset[str]


def find_conflicts(
    cited: Sequence[tuple[int, PassageLike]], drugs: DrugLexicon
) -> list[dict[str, object]]:
    """Conflicts among the passages ``cited`` as (reference number, passage) pairs."""
    sentences = [s for n, passage in cited for s in _sentences(n, passage.text, drugs)]
    found = [*_dose_conflicts(sentences), *_finding_conflicts(sentences)]
    found += _approval_conflicts(sentences, drugs)
    unique: dict[tuple[str, tuple[int, ...]], dict[str, object]] = {}
    for conflict in found:
        key = (str(conflict["kind"]), tuple(conflict["references"]))  # type: ignore[arg-type]
        unique.setdefault(key, conflict)
    return list(unique.values())


def _sentences(n: int, text: str, drugs: DrugLexicon) -> list[_Sentence]:
    return [_Sentence(n, sentence, drugs.find(sentence), stems) for sentence, stems in _split(text)]


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[tuple[str, frozenset[str]], ...]:
    spans = split_sentences(text) or [(0, len(text))]
    return tuple((text[s:e], signals.content_stems(text[s:e])) for s, e in spans)


def _route(text: str) -> str:
    for name, pattern in _ROUTE:
        if pattern.search(text):
            return name
    return "route not stated"


def _dose_conflicts(sentences: Iterable[_Sentence]) -> list[dict[str, object]]:
    """ "Metformin 500 mg" in [1] and "metformin 1000 mg" in [2] (same route, same unit, no
    overlapping value) → a dose conflict; frequencies ("twice daily" vs "once daily") likewise.
    Only sentences naming exactly one drug count, so a dose is not pinned on the wrong drug."""
    doses: dict[tuple[str, str, str], dict[int, list[signals.Quantity]]] = {}
    for sentence in sentences:
        if len(sentence.drugs) != 1:
            continue
        (drug,) = sentence.drugs
        route = _route(sentence.text)
        for quantity in signals.quantities(sentence.text):
            if quantity.unit in DOSE_UNITS:
                key = (drug, route, quantity.unit)
                doses.setdefault(key, {}).setdefault(sentence.n, []).append(quantity)
    conflicts = []
    for (drug, route, unit), by_ref in doses.items():
        refs = sorted(by_ref)
        for i, a in enumerate(refs):
            for b in refs[i + 1 :]:
                if any(qa.matches(qb) for qa in by_ref[a] for qb in by_ref[b]):
                    continue
                kind = "frequency" if unit == "/day" else "dose"
                shown_a = ", ".join(q.text for q in by_ref[a][:2])
                shown_b = ", ".join(q.text for q in by_ref[b][:2])
                conflicts.append(
                    {
                        "summary": f"Different {kind} of {drug} ({route}): "
                        f"{shown_a} [{a}] vs {shown_b} [{b}]",
                        "references": [a, b],
                        "kind": kind,
                    }
                )
    return conflicts


def _finding_conflicts(sentences: Sequence[_Sentence]) -> list[dict[str, object]]:
    """Two sentences about the same intervention and outcome (the same drug, most content
    words shared) where one is negated or points the other way: "aspirin reduced stroke
    risk" [1] vs "aspirin did not reduce stroke risk" [2] → opposite findings."""
    conflicts = []
    with_drug = [
        (s, s.stems - signals.name_stems(s.drugs))
        for s in sentences
        if s.drugs and len(s.stems - signals.name_stems(s.drugs)) >= MIN_FINDING_WORDS
    ]
    for i, (a, a_topic) in enumerate(with_drug):
        for b, b_topic in with_drug[i + 1 :]:
            if a.n == b.n or not (a.drugs & b.drugs) or jaccard(a_topic, b_topic) < SAME_FINDING:
                continue
            if signals.is_negated(a.text) == signals.is_negated(b.text) and not _opposed(a, b):
                continue
            drug = sorted(a.drugs & b.drugs)[0]
            conflicts.append(
                {
                    "summary": f"Opposite findings on {drug}: [{a.n}] {_clip(a.text)} "
                    f"vs [{b.n}] {_clip(b.text)}",
                    "references": sorted({a.n, b.n}),
                    "kind": "finding",
                }
            )
    return conflicts


def _approval_conflicts(
    sentences: Sequence[_Sentence], drugs: DrugLexicon
) -> list[dict[str, object]]:
    """ "X is the only approved therapy for Y" [1] vs "Z is approved for Y" [2] → approval
    statements that disagree."""
    conflicts = []
    exclusive = [s for s in sentences if signals.exclusivity(s.text) and signals.approvals(s.text)]
    for a in exclusive:
        for b in sentences:
            others = drugs.find(b.text) - a.drugs
            if b.n == a.n or not others or not signals.approvals(b.text):
                continue
            if (
                signals.is_negated(b.text)
                or overlap(a.stems - signals.name_stems(a.drugs), b.stems) < 0.2
            ):
                continue
            conflicts.append(
                {
                    "summary": f"Approval statements disagree: [{a.n}] says "
                    f"{signals.exclusivity(a.text)[0]!r}, [{b.n}] names "
                    f"{', '.join(sorted(others)[:3])} as approved",
                    "references": sorted({a.n, b.n}),
                    "kind": "approval",
                }
            )
    return conflicts


def _opposed(a: _Sentence, b: _Sentence) -> bool:
    da, db = signals.directions(a.text), signals.directions(b.text)
    return any((i, 1 - side) in db and (i, side) not in db for i, side in da)


def _clip(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

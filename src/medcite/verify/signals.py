"""What the rules look for in a sentence: quantities, negation, hedges, exclusivity, approval
claims, populations and direction words. Pure functions over text; no corpus, no state.

Each detector names its cue words so a verdict can say exactly what it saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcite.text.terms import STOPWORDS, stem, tokens


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its normalised unit ("" for a bare number): ``20 mg`` → (20, 20, "mg")."""

    low: float
    high: float
    unit: str
    text: str

    def matches(self, other: Quantity) -> bool:
        """Same unit and overlapping values ("10 mg" matches "5-10 mg")."""
        return self.unit == other.unit and self.low <= other.high and other.low <= self.high


_UNITS = {
    "%": "%",
    "percent": "%",
    "per cent": "%",
    "mg/kg": "mg/kg",
    "mg/m2": "mg/m2",
    "mg/day": "mg/day",
    "mg/d": "mg/day",
    "mg": "mg",
    "milligrams": "mg",
    "mcg": "mcg",
    "µg": "mcg",
    "μg": "mcg",
    "micrograms": "mcg",
    "g": "g",
    "grams": "g",
    "kg": "kg",
    "ml": "ml",
    "l": "l",
    "iu": "iu",
    "units": "unit",
    "unit": "unit",
    "mmol/l": "mmol/l",
    "mmhg": "mmhg",
    "mm hg": "mmhg",
    "hours": "hour",
    "hour": "hour",
    "hrs": "hour",
    "h": "hour",
    "days": "day",
    "day": "day",
    "weeks": "week",
    "week": "week",
    "wk": "week",
    "months": "month",
    "month": "month",
    "years": "year",
    "year": "year",
    "yr": "year",
    "times": "times",
    "fold": "fold",
}
_UNIT_PATTERN = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUMBER = re.compile(
    rf"(?<![\w.,/])(\d+(?:,\d{{3}})*(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?"
    rf"(?:\s*({_UNIT_PATTERN})(?![a-z]))?",
    re.IGNORECASE,
)
_FREQUENCIES = {
    "once daily": 1,
    "once a day": 1,
    "once-daily": 1,
    "daily": 1,
    "qd": 1,
    "twice daily": 2,
    "twice a day": 2,
    "twice-daily": 2,
    "bid": 2,
    "b.i.d.": 2,
    "three times daily": 3,
    "three times a day": 3,
    "tid": 3,
    "t.i.d.": 3,
    "four times daily": 4,
    "four times a day": 4,
    "qid": 4,
    "q.i.d.": 4,
    "once weekly": 1 / 7,
    "once a week": 1 / 7,
    "weekly": 1 / 7,
    "twice weekly": 2 / 7,
    "once monthly": 1 / 30,
    "monthly": 1 / 30,
    "every other day": 0.5,
}
_FREQUENCY = re.compile(
    r"\b(?:"
    + "|".join(sorted((re.escape(f) for f in _FREQUENCIES), key=len, reverse=True))
    + r"|every\s+(\d+)\s+(hours?|days?|weeks?|months?))(?![\w])",
    re.IGNORECASE,
)
_PERIOD_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30}
_YEAR = re.compile(r"^(19|20)\d\d$")


def quantities(text: str) -> list[Quantity]:
    """Numbers with units and dosing frequencies in ``text``.

    Example: ``quantities("10 mg twice daily for 12 weeks")`` →
    10 mg, 2 /day (frequency), 12 week. Calendar years (1900–2099 without a unit) are skipped:
    they date a study rather than state a finding.
    """
    found: list[Quantity] = []
    for match in _FREQUENCY.finditer(text):
        if match.group(1):
            days = int(match.group(1)) * _PERIOD_DAYS[match.group(2).lower().rstrip("s")]
            per_day = 1 / days
        else:
            per_day = _FREQUENCIES[match.group(0).lower()]
        found.append(Quantity(per_day, per_day, "/day", match.group(0)))
    frequency_spans = [m.span() for m in _FREQUENCY.finditer(text)]
    for match in _NUMBER.finditer(text):
        if any(s <= match.start() < e for s, e in frequency_spans):
            continue
        raw, upper, unit = match.groups()
        if not unit and _YEAR.match(raw):
            continue
        low = float(raw.replace(",", ""))
        high = float(upper) if upper else low
        found.append(Quantity(low, high, _UNITS.get((unit or "").lower(), ""), match.group(0)))
    return found


class Cues:
    """Cue words matched by one pattern; calling it returns them, lower-cased, in order."""

    def __init__(self, pattern: str, doc: str) -> None:
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self.__doc__ = doc

    def __call__(self, text: str) -> list[str]:
        return [m.group(0).lower() for m in self.pattern.finditer(text)]


negations = Cues(
    r"\b(?:not|no|never|none|neither|nor|without|cannot|can't|don't|doesn't|didn't|isn't|"
    r"aren't|wasn't|weren't|won't|failed to|fails to|fail to|lack of|lacks|lacked|absence of|"
    r"unable to|ineffective|insignificant|non-significant|nonsignificant)\b",
    'Negation cues: "did not reduce" → ["not"]; also "failed to", "no evidence", "lack of".',
)
hedges = Cues(
    r"\b(?:may|might|could|possibly|potentially|perhaps|probably|likely|unlikely|suggests?|"
    r"suggested|suggesting|appears? to|seems? to|promising|promise|preliminary|"
    r"is thought to|are thought to|hypothesi[sz]ed|putative|uncertain|unclear|"
    r"associated with|linked to|trend)\b",
    'Hedge cues: "may reduce", "has shown promise", "is associated with".',
)
exclusivity = Cues(
    r"\b(?:only|sole|solely|exclusively|single|no other|none other|the one|first-line|"
    r"first line|drug of choice|treatment of choice|gold standard|no alternatives?|"
    r"no (?:other )?(?:approved |effective |available )?(?:treatments?|therap(?:y|ies)|drugs?|"
    r"options?|cures?) (?:exists?|are available|is available))\b",
    'Exclusivity cues: "the only approved therapy", "no other treatment exists", "first-line".',
)
approvals = Cues(
    r"\b(?:fda[- ]approved|approved|approval|licensed|authori[sz]ed|indicated for|"
    r"label(?:l)?ed for)\b",
    'Regulatory-status cues: "FDA-approved", "licensed", "indicated for".',
)


def is_negated(text: str) -> bool:
    """Odd number of negation cues: "no evidence that X does not work" counts as positive."""
    return len(negations(text)) % 2 == 1


# Population groups; two mentions from different groups describe different people.
POPULATIONS: dict[str, tuple[str, ...]] = {
    "children": (
        "child",
        "children",
        "pediatric",
        "paediatric",
        "infant",
        "infants",
        "neonate",
        "neonates",
        "newborn",
        "newborns",
        "adolescent",
        "adolescents",
        "boys",
        "girls",
        "kids",
        "toddlers",
    ),
    "adults": ("adult", "adults"),
    "older adults": ("elderly", "older", "aged", "geriatric"),
    "pregnant women": ("pregnant", "pregnancy", "gestational"),
    "women": ("women", "woman", "female", "females", "postmenopausal", "premenopausal"),
    "men": ("men", "man", "male", "males"),
    "humans": ("humans", "human"),
    "animals": (
        "mice",
        "mouse",
        "rats",
        "rat",
        "murine",
        "rodent",
        "rodents",
        "animal",
        "animals",
        "dogs",
        "pigs",
        "primates",
    ),
}
_GROUP_OF = {word: group for group, words in POPULATIONS.items() for word in words}


def populations(text: str) -> frozenset[str]:
    """Population groups named: ``"in children with asthma"`` → ``{"children"}``."""
    return frozenset(_GROUP_OF[t] for t in tokens(text) if t in _GROUP_OF)


# Direction words: a statement saying "increase" where its source says "decrease".
_DIRECTION_PAIRS = (
    ("increas", "decreas"),
    ("increas", "reduc"),
    ("higher", "lower"),
    ("rais", "lower"),
    ("improv", "worsen"),
    ("more", "less"),
    ("greater", "smaller"),
    ("superior", "inferior"),
    ("benefit", "harm"),
    ("promot", "inhibit"),
    ("enhanc", "impair"),
    ("activat", "inhibit"),
    ("gain", "loss"),
    ("up-regulat", "down-regulat"),
    ("upregulat", "downregulat"),
    ("elevat", "reduc"),
    ("accelerat", "slow"),
    ("induc", "suppress"),
    ("positive", "negative"),
)


def directions(text: str) -> frozenset[tuple[int, int]]:
    """Direction cues as (pair index, side): "reduced mortality" → {(1, 1), ...}."""
    found: set[tuple[int, int]] = set()
    for word in tokens(text):
        for index, pair in enumerate(_DIRECTION_PAIRS):
            for side, prefix in enumerate(pair):
                if word.startswith(prefix):
                    found.add((index, side))
    return frozenset(found)


def direction_words(pair_side: tuple[int, int]) -> str:
    index, side = pair_side
    return _DIRECTION_PAIRS[index][side] + "…"


# Cue words the rules judge; they do not count towards lexical alignment.
_CUE_WORDS = frozenset(
    """not no never none neither nor without cannot failed fail fails lack lacks lacked absence
    unable may might could possibly potentially perhaps probably likely unlikely suggest suggests
    suggested suggesting appear appears seem seems promising promise preliminary only sole solely
    exclusively single other first line first-line choice""".split()
)


def content_stems(text: str) -> frozenset[str]:
    """Stems that carry the statement's content: no stop words, cue words or bare numbers."""
    return frozenset(
        stem(t)
        for t in tokens(text)
        if t not in STOPWORDS and t not in _CUE_WORDS and len(t) > 1 and not t[0].isdigit()
    )


def name_stems(names: frozenset[str]) -> frozenset[str]:
    """The content stems of every name (drug names in a statement or passage)."""
    return frozenset(s for name in names for s in content_stems(name))

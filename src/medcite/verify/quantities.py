"""Numbers in a sentence, whichever way they are written, as comparable quantities.

    quantities("reduced the relapse rate by almost one third")   # 33.3 % (approximate)
    quantities("400 micrograms of folic acid daily")             # 0.4 mg, 1 /day
    quantities("approved in 2004")                               # calendar year 2004
    quantities("visited the GP twice as much")                   # 2 times (a multiple)

Digits with units ("20 mg", "5-10%", "3 hours"), numbers in words ("two to three days",
"Fifty percent"), fractions ("two thirds", "about half", "one in five", "one out of every
three"), multiples ("twice as", "three times as often", "2-fold"), dosing frequencies ("twice
daily", "one or two times a month", "every 12 hours") and calendar years. Each quantity has a
*dimension* (mass, time, proportion, frequency, multiple, date, ...) and a value in that
dimension's base unit, so "400 micrograms" and "400 milligrams" are comparable (and differ), as
are "72 hours" and "two weeks". A bare number has no dimension and matches any quantity of the
same value ("aged 60" matches "60 years").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from medcite.text.terms import STOPWORDS

# unit as written → (normalised unit, dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, str, float]] = {
    "%": ("%", "proportion", 1),
    "percent": ("%", "proportion", 1),
    "per cent": ("%", "proportion", 1),
    "mg/kg": ("mg/kg", "dose per weight", 1),
    "mg/m2": ("mg/m2", "dose per area", 1),
    "mg/day": ("mg/day", "daily dose", 1),
    "mg/d": ("mg/day", "daily dose", 1),
    "mg/dl": ("mg/dl", "concentration", 1),
    "milligrams per deciliter": ("mg/dl", "concentration", 1),
    "mmol/l": ("mmol/l", "molar concentration", 1),
    "mg": ("mg", "mass", 1),
    "milligrams": ("mg", "mass", 1),
    "milligram": ("mg", "mass", 1),
    "mcg": ("mcg", "mass", 1e-3),
    "µg": ("mcg", "mass", 1e-3),
    "μg": ("mcg", "mass", 1e-3),
    "micrograms": ("mcg", "mass", 1e-3),
    "microgram": ("mcg", "mass", 1e-3),
    "g": ("g", "mass", 1e3),
    "grams": ("g", "mass", 1e3),
    "gram": ("g", "mass", 1e3),
    "kg": ("kg", "mass", 1e6),
    "kilograms": ("kg", "mass", 1e6),
    "ml": ("ml", "volume", 1),
    "l": ("l", "volume", 1e3),
    "liters": ("l", "volume", 1e3),
    "iu": ("iu", "activity", 1),
    "international units": ("iu", "activity", 1),
    "units": ("unit", "activity", 1),
    "unit": ("unit", "activity", 1),
    "mmhg": ("mmhg", "pressure", 1),
    "mm hg": ("mmhg", "pressure", 1),
    "minutes": ("minute", "time", 1 / 1440),
    "minute": ("minute", "time", 1 / 1440),
    "min": ("minute", "time", 1 / 1440),
    "hours": ("hour", "time", 1 / 24),
    "hour": ("hour", "time", 1 / 24),
    "hrs": ("hour", "time", 1 / 24),
    "h": ("hour", "time", 1 / 24),
    "days": ("day", "time", 1),
    "day": ("day", "time", 1),
    "weeks": ("week", "time", 7),
    "week": ("week", "time", 7),
    "wk": ("week", "time", 7),
    "months": ("month", "time", 30),
    "month": ("month", "time", 30),
    "years": ("year", "time", 365),
    "year": ("year", "time", 365),
    "yr": ("year", "time", 365),
    "times": ("times", "multiple", 1),
    "fold": ("times", "multiple", 1),
}
_PERIOD_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
CALENDAR = "calendar year"
_DIMENSION = {unit: dim for unit, dim, _ in _UNITS.values()} | {
    "/day": "frequency",
    CALENDAR: "date",
}
_FACTOR = {unit: factor for unit, _, factor in _UNITS.values()} | {"/day": 1, CALENDAR: 1}

_ONES = """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen""".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_ONES)} | {
    w: 10 * (i + 2) for i, w in enumerate(_TENS)
}
_SMALL = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
# "twenty-five", "one hundred and eighty-two", "two thousand"
_UNDER_100 = rf"(?:{_SMALL})(?:[- ](?:{_SMALL}))?"
_CARDINAL = re.compile(
    rf"\b(?:{_UNDER_100}\s+hundred(?:\s+and)?(?:\s+{_UNDER_100})?|{_UNDER_100}(?:\s+thousand)?)\b",
    re.IGNORECASE,
)
_FRACTION_WORDS = {
    "half": 2,
    "halves": 2,
    "third": 3,
    "thirds": 3,
    "quarter": 4,
    "quarters": 4,
    "fourth": 4,
    "fourths": 4,
    "fifth": 5,
    "fifths": 5,
    "tenth": 10,
    "tenths": 10,
}
_APPROX = (
    r"(?:(?:about|almost|nearly|roughly|approximately|around|some|over|under|just|up to|"
    r"more than|less than)\s+)?"
)
# A fraction word needs its count: "a third", "two-thirds"; "the third trimester" and "DSM-IV,
# Fourth Edition" are ordinals.
_FRACTION = re.compile(
    rf"\b{_APPROX}(one|a|two|three|four|\d+)[- ]"
    rf"(thirds?|quarters?|fourths?|fifths?|tenths?)\b"
    rf"|\b{_APPROX}(?:one[- ]|a[- ])?(half|halved|halve|halves)\b"
    r"(?![- ](?:a|an|life|dose|hour)\b)(?!-)"
    r"|\b(\d+|one)\s+(?:in|out\s+of)\s+(?:every\s+)?(\d+(?:,\d{3})*)\b",
    re.IGNORECASE,
)
_FREQUENCY_NAMES = {
    "once daily": 1,
    "once-daily": 1,
    "daily": 1,
    "every day": 1,
    "each day": 1,
    "qd": 1,
    "twice daily": 2,
    "twice-daily": 2,
    "bid": 2,
    "b.i.d.": 2,
    "three times daily": 3,
    "tid": 3,
    "t.i.d.": 3,
    "four times daily": 4,
    "qid": 4,
    "q.i.d.": 4,
    "weekly": 1 / 7,
    "every week": 1 / 7,
    "monthly": 1 / 30,
    "every month": 1 / 30,
    "every other day": 0.5,
}
_COUNT = r"(once|twice|thrice|one|two|three|four|five|six|\d+)"
_FREQUENCY = re.compile(
    r"\b(?:" + rf"{_COUNT}(?:\s+(?:or|to)\s+{_COUNT})?(?:\s+times?)?\s+(?:a|per|each|every)\s+"
    r"(day|week|month|year)"
    + r"|every\s+(\d+|two|three|four|six|eight|twelve)\s+(hours?|days?|weeks?|months?)"
    + r"|"
    + "|".join(sorted((re.escape(f) for f in _FREQUENCY_NAMES), key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
_MULTIPLE = re.compile(
    r"\b(?:(twice|thrice)(?=\s+(?:as|the|that|more|higher|greater|likely|often))"
    r"|(\d+(?:\.\d+)?|two|three|four|five|six|ten)[- ]?(?:times|fold)"
    r"(?=\s+(?:as|the|more|higher|greater|lower|likely|often|increase|increased|risk|"
    r"higher|that)|[- ]?(?:increase|higher|greater|more|elevat))"
    r"|(doubled|doubles|doubling|tripled|triples|tripling))\b",
    re.IGNORECASE,
)
_WORD_COUNT = {"once": 1, "twice": 2, "thrice": 3} | NUMBER_WORDS
_MULTIPLE_WORDS = {"doubl": 2, "tripl": 3}
_UNIT_PATTERN = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
_NUMBER = re.compile(
    rf"(?<![\w.,/])(\d*\.\d+|\d+(?:,\d{{3}})*(?:\.\d+)?)"
    rf"(?:\s*(?:-|–|to|or)\s*(\d*\.\d+|\d+(?:,\d{{3}})*(?:\.\d+)?))?"
    rf"(?:\s*({_UNIT_PATTERN})(?![a-z]))?",
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(19|20)\d\d$")
FRACTION_TOLERANCE = (
    4.0  # percentage points an approximate fraction may be off ("almost one third")
)


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its normalised unit ("" for a bare number): ``20 mg`` → (20, 20, "mg")."""

    low: float
    high: float
    unit: str
    text: str
    approximate: bool = False  # a fraction in words ("about half"): compared with tolerance
    from_words: bool = False  # written in words ("two types"): a bare one claims little
    names: bool = False  # a bare number that is part of a name ("type 1", "HIV-1", "6MP")

    @property
    def dimension(self) -> str:
        return _DIMENSION.get(self.unit, "")

    def base(self) -> tuple[float, float]:
        factor = _FACTOR.get(self.unit, 1)
        return self.low * factor, self.high * factor

    def matches(self, other: Quantity) -> bool:
        """Same value in the same dimension ("10 mg" matches "5-10 mg", "0.4 mg" matches "400
        micrograms"); a bare number matches any quantity of the same value."""
        if not self.dimension or not other.dimension:
            return self.low <= other.high and other.low <= self.high
        if self.dimension != other.dimension:
            return False
        (a_low, a_high), (b_low, b_high) = self.base(), other.base()
        slack = FRACTION_TOLERANCE if self.approximate or other.approximate else 1e-9
        if self.dimension != "proportion":
            slack = max(slack, 1e-9 * max(abs(a_high), abs(b_high)))
        return a_low - slack <= b_high and b_low - slack <= a_high

    def differs_from(self, other: Quantity) -> bool:
        """Both measure the same dimension and their values do not overlap."""
        return (
            bool(self.dimension) and self.dimension == other.dimension and not self.matches(other)
        )


def quantities(text: str) -> list[Quantity]:
    """Every quantity in ``text`` (see the module docstring), frequencies first."""
    normalised, in_words = _digits_for_words(text)
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for pattern, read in ((_FREQUENCY, _frequency), (_FRACTION, _fraction), (_MULTIPLE, _multiple)):
        for match in pattern.finditer(normalised):
            quantity = None if _inside(match.start(), taken) else read(match)
            if quantity is not None:
                found.append(quantity)
                taken.append(match.span())
    for match in _NUMBER.finditer(normalised):
        if _inside(match.start(), taken):
            continue
        raw, upper, unit = match.groups()
        value = float(raw.replace(",", ""))
        high = float(upper.replace(",", "")) if upper else value
        if not unit and not upper and _YEAR.match(raw):
            found.append(Quantity(value, value, CALENDAR, match.group(0)))
            continue
        normal = _UNITS[unit.lower()][0] if unit else ""
        words = _inside(match.start(), in_words)
        names = not unit and not upper and _names_a_thing(normalised, *match.span())
        found.append(
            Quantity(value, max(value, high), normal, match.group(0), from_words=words, names=names)
        )
    return found


# What a number names rather than counts: "Type 1 diabetes", "Forkhead 0", "HIV-1", "6MP".
_NAMING_WORDS = frozenset("type types class grade stage phase subtype isoform chromosome".split())
_WORD_BEFORE = re.compile(r"([A-Za-z][\w']*)(-?)\s*$")


def _names_a_thing(text: str, start: int, end: int) -> bool:
    """Whether the bare number at ``text[start:end]`` is part of a name: glued to letters after
    it, hyphened to a word before it, or after a naming word or a capitalised word that is not
    a function word ("Among 300 patients" counts)."""
    if text[end : end + 1].isalpha():
        return True
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before is None:
        return False
    word, hyphen = before.groups()
    return (
        bool(hyphen)
        or word.lower() in _NAMING_WORDS
        or (word[0].isupper() and word.lower() not in STOPWORDS)
    )


def with_daily_doses(found: Sequence[Quantity]) -> list[Quantity]:
    """``found`` and, when it states a once-daily frequency, each of its masses as a daily dose
    too: "a daily capsule containing 40 mg of folic acid" gives 40 mg/day."""
    if not any(q.unit == "/day" and q.low == q.high == 1 for q in found):
        return list(found)
    doses = [
        Quantity(q.low * _FACTOR[q.unit], q.high * _FACTOR[q.unit], "mg/day", q.text)
        for q in found
        if q.dimension == "mass"
    ]
    return [*found, *doses]


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _digits_for_words(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with cardinal numbers in words replaced by digits, and where those digits are
    (so a quantity can tell it was written in words); "one" alone stays a word: it is rarely a
    count ("on one side")."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    last = length = 0
    for match in _CARDINAL.finditer(text):
        words = match.group(0)
        if words.lower() == "one" and not _FOLLOWED_BY_UNIT.match(text, match.end()):
            continue
        digits = str(_cardinal_value(words))
        parts.append(text[last : match.start()])
        length += match.start() - last
        spans.append((length, length + len(digits)))
        parts.append(digits)
        length += len(digits)
        last = match.end()
    parts.append(text[last:])
    return "".join(parts), spans


_FOLLOWED_BY_UNIT = re.compile(rf"\s*(?:(?:or|to)\s+\w+\s+)?(?:{_UNIT_PATTERN})\b", re.IGNORECASE)


def _cardinal_value(words: str) -> int:
    total, current = 0, 0
    for word in re.split(r"[\s-]+", words.lower()):
        if word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
    return total + current


def _count(word: str | None) -> float:
    word = (word or "").lower().replace(",", "")
    return float(word) if word.replace(".", "", 1).isdigit() else float(_WORD_COUNT.get(word, 1))


def _frequency(match: re.Match[str]) -> Quantity:
    text = match.group(0)
    first, second, period, every_n, every_unit = match.groups()
    if period:
        low, high = _count(first), _count(second) if second else _count(first)
        days = _PERIOD_DAYS[period.lower()]
        return Quantity(low / days, max(low, high) / days, "/day", text)
    if every_n:
        days = _count(every_n) * _PERIOD_DAYS[every_unit.lower().rstrip("s")]
        return Quantity(1 / days, 1 / days, "/day", text)
    per_day = _FREQUENCY_NAMES[re.sub(r"\s+", " ", text.lower())]
    return Quantity(per_day, per_day, "/day", text)


def _fraction(match: re.Match[str]) -> Quantity | None:
    text = match.group(0)
    numerator, denominator_word, half, count, of_every = match.groups()
    if half:
        share = 0.5
    elif denominator_word:
        share = (
            _count(numerator if numerator and numerator.lower() != "a" else "one")
            / (_FRACTION_WORDS[denominator_word.lower()])
        )
    else:
        share = _count(count) / _count(of_every)
        if share > 1:
            return None  # "from 2001-2003 in 14 countries" is no share
    return Quantity(100 * share, 100 * share, "%", text, approximate=True)


def _multiple(match: re.Match[str]) -> Quantity:
    text = match.group(0)
    word, number, verb = match.groups()
    if verb:
        value = float(_MULTIPLE_WORDS[verb.lower()[:5]])
    else:
        value = _count(word or number)
    return Quantity(value, value, "times", text)

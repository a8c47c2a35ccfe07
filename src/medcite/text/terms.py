"""Word-level text helpers for matching questions to sentences: tokens, light stems, overlap.

Deliberately simple and fast: the composer compares a question with a few hundred sentences
per answer, and what it needs is "does this sentence talk about the same thing", not a parse.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not of off on once only or other our out over own same she should
    so some such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your
    yours s t don now vs via per among within without whether either neither may might must shall
    using used use""".split()
)

# Words that say what kind of answer is wanted, not what it is about.
QUESTION_WORDS = frozenset(
    """treatment treatments treat treating treated therapy therapies therapeutic option options
    manage management managing approach approaches best current currently recommended recommend
    available choice choices first line first-line dose doses dosing dosage administer
    administration diagnose diagnosed diagnosis diagnostic workup work-up evaluate evaluation test
    tests testing side effect effects adverse reaction reactions toxicity interaction interactions
    interact prognosis outlook survival course definition define meaning mean cause causes caused
    prevent prevention prevented risk risks symptom symptoms sign signs know tell explain patient
    patients people person adult adults type types form forms kind kinds""".split()
)

_SUFFIXES = (
    "ational",
    "ations",
    "ation",
    "ments",
    "ment",
    "ness",
    "ings",
    "ing",
    "ies",
    "es",
    "ed",
    "s",
)


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=1 << 16)  # texts repeat their words a lot
def stem(word: str) -> str:
    """A light suffix stripper: enough to match treat/treated/treatments, not a linguist."""
    if len(word) <= 4 or word.isdigit():
        return word
    if word.endswith(("ss", "is", "us")):  # sclerosis, virus, abscess are not plurals
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            base = word[: -len(suffix)]
            return base[:-1] + "y" if suffix == "ies" else base
    return word


# British spellings, written the American way: sources and questions use both ("tumour"/
# "tumor", "randomised"/"randomized", "haemoglobin"/"hemoglobin", "oestrogen"/"estrogen").
_BRITISH = (
    (re.compile(r"(?<=[a-z]{3})our(s?)$"), r"or\1"),
    (re.compile(r"(?<=[a-z]{4})is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?:ae|oe)(?=[a-z])"), "e"),
)
_BRITISH_MIN = 6  # shorter words ("does", "hour", "toe") are never British spellings


@lru_cache(maxsize=1 << 16)
def american(word: str) -> str:
    """``word`` (lower-cased) spelled the American way: "haemangioma" → "hemangioma"."""
    if len(word) < _BRITISH_MIN:
        return word
    for pattern, spelling in _BRITISH:
        word = pattern.sub(spelling, word)
    return word


def content_words(text: str, *, drop: Iterable[str] = ()) -> list[str]:
    """The content words of ``text`` (stop words and ``drop`` removed), in order."""
    excluded = STOPWORDS | frozenset(drop) if drop else STOPWORDS
    return [t for t in tokens(text) if t not in excluded and len(t) > 1]


def content_stems(text: str, *, drop: Iterable[str] = ()) -> list[str]:
    """Stems of :func:`content_words`."""
    return [stem(t) for t in content_words(text, drop=drop)]


def stem_set(text: str) -> frozenset[str]:
    return frozenset(content_stems(text))


def coverage(needed: Iterable[str], present: frozenset[str]) -> float:
    """Share of ``needed`` stems found in ``present`` (1.0 when nothing is needed)."""
    wanted = list(dict.fromkeys(needed))
    if not wanted:
        return 1.0
    return sum(1 for s in wanted if s in present) / len(wanted)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient: shared stems over the smaller set."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def cosine(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine similarity of two stem sets (binary vectors)."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))

"""Flesch-Kincaid grade level, counted exactly as textstat 0.7.4 counts, on pyphen syllables.

textstat itself is not imported: its import loads ``pkg_resources`` (deprecated by setuptools),
about 0.1 s of every cold ``medcite ask``. The counting is textstat's: words are what remains
after removing punctuation, split on white space; sentences are runs ending in ``.!?`` with
fragments of two words or fewer not counted (at least one); a word has one syllable more than
pyphen's ``en_US`` hyphenation points; both averages are rounded to one decimal before the
formula, and the grade to one decimal. ``tests/reader`` checks the two agree.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

_PUNCTUATION = re.compile(r"[^\w\s]")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")


def fk_grade(text: str) -> float | None:
    """Flesch-Kincaid grade of ``text`` (None without text or without pyphen)."""
    hyphenation = _hyphenation()
    words = _words(text)
    if hyphenation is None or not words:
        return None
    sentences = _SENTENCE.findall(text)
    counted = max(1, len(sentences) - sum(1 for s in sentences if len(_words(s)) <= 2))
    syllables = sum(len(hyphenation.positions(word)) + 1 for word in _words(text.lower()))
    per_sentence = _round(len(words) / counted)
    per_word = _round(syllables / len(words))
    return round(_round(0.39 * per_sentence + 11.8 * per_word - 15.59), 2)


def _words(text: str) -> list[str]:
    return _PUNCTUATION.sub("", text).split()


def _round(number: float) -> float:
    """To one decimal, halves away from zero (textstat's rounding, not Python's)."""
    return math.floor(number * 10 + math.copysign(0.5, number)) / 10


@cache
def _hyphenation() -> Any:
    try:
        from pyphen import Pyphen
    except ImportError:
        return None
    return Pyphen(lang="en_US")

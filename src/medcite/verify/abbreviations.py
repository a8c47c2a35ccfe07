"""Abbreviations a text defines ("hematopoietic stem cell transplantation (HSCT)"), so a
sentence that says "HSCT" is known to say "stem cell transplantation" and the other way round.

    defined("At present, hematopoietic stem cell transplantation (HSCT) is the only cure.")
    # {"hsct": frozenset({"hematopoiet", "stem", "cell", "transplant"})}

Sources define an abbreviation once and use it after; statements written from them spell it
out (or the reverse), and without this the sentence that carries a claim loses its alignment
to one that merely repeats the long form. The long form is found as Schwartz & Hearst (2003)
find it: the shortest run of preceding words in which the short form's letters appear in
order, its first letter starting a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from medcite.verify.signals import content_stems

# "long form (SF)" or "long form (SF; ...)": a short form of 2-10 characters with a capital.
_DEFINITION = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9]{1,9})\s*[);,]")
_MAX_WORDS = 10


@lru_cache(maxsize=4096)
def defined(text: str) -> dict[str, frozenset[str]]:
    """Short form (lower-cased) → the content stems of its long form, as ``text`` defines."""
    found: dict[str, frozenset[str]] = {}
    for match in _DEFINITION.finditer(text):
        short = match.group(1)
        if not any(c.isupper() for c in short) or short.lower() in found:
            continue
        before = text[max(0, match.start() - 200) : match.start()].rstrip()
        before = re.split(r"[.;:()\[\]]", before)[-1]
        words = before.split()
        letters = sum(c.isalnum() for c in short)
        window = " ".join(words[-min(letters + 5, 2 * letters, _MAX_WORDS) :])
        long_form = _long_form(short, window)
        stems = content_stems(long_form) if long_form else frozenset()
        if len(stems) >= 2:
            found[short.lower()] = stems
    return found


def defined_in(texts: Iterable[str]) -> dict[str, frozenset[str]]:
    """Every abbreviation any of ``texts`` defines (the first definition wins)."""
    found: dict[str, frozenset[str]] = {}
    for text in texts:
        for short, stems in defined(text).items():
            found.setdefault(short, stems)
    return found


def _long_form(short: str, candidate: str) -> str | None:
    """The shortest end of ``candidate`` holding ``short``'s letters in order, the first at
    the start of a word (Schwartz & Hearst's algorithm), or None."""
    s, c = len(short) - 1, len(candidate) - 1
    while s >= 0:
        char = short[s].lower()
        if not char.isalnum():
            s -= 1
            continue
        while c >= 0 and (
            candidate[c].lower() != char or (s == 0 and c > 0 and candidate[c - 1].isalnum())
        ):
            c -= 1
        if c < 0:
            return None
        c -= 1
        s -= 1
    start = candidate.rfind(" ", 0, c + 1) + 1
    long_form = candidate[start:]
    return long_form if len(long_form.split()) >= 2 else None


def expanded(
    stems: frozenset[str], words: frozenset[str], abbreviations: dict[str, frozenset[str]]
) -> frozenset[str]:
    """``stems`` with each defined abbreviation's other form added: the long form's stems
    where the short form is one of ``words``, the short form where all of the long is."""
    added: set[str] = set()
    for short, long_stems in abbreviations.items():
        if short in words:
            added |= long_stems
        elif long_stems <= stems:
            added.add(short)
    return stems | added if added else stems

"""Concepts (a condition, drug or procedure a question names) and whether a text names them.

Matching works on *stem keys*: a text's content words (stop words dropped, possessives
stripped, light stems), joined by spaces (:func:`medcite.question.words.stem_key`). A concept
is named in a text when one of its keys occurs there as a run of whole words, when one of its
short forms ("MS", case-sensitive) does, or, for a drug, when the drug lexicon finds it under
any of its names ("Tysabri" names natalizumab). A document is *about* a concept when its
subject — a MedQuAD page's focus, a title, MeSH headings, a label's drug names — names it.

Three refinements keep a topic from leaking into its neighbours:

- a *narrower* condition of the vocabulary that contains the concept's words is another
  condition: "pulmonary arterial hypertension" does not name "hypertension";
- a concept narrowed by the question ("progressive multiple sclerosis") is named
  ``SPECIFIC``-ally only in those words; its broader form ("multiple sclerosis") counts at the
  ``BROADER`` level, so an answer can say nothing is specific to the narrower one;
- the broader form qualified by *other* modifiers ("relapsing forms of MS" when progressive MS
  is asked) is another form of it: :meth:`Concept.other_forms` names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from medcite.models import Document
from medcite.question.words import MODIFIER_STEMS, NUMBERED, NUMBERED_HEADS, modifier, stem_key
from medcite.text.drugs import DrugLexicon

SUBJECT_SEPARATOR = " | "  # keeps a key from running across two subjects
WORDS_COVERAGE = 0.5  # share of a word concept's stems a text must hold to name it
MAX_MODIFIERS_BEFORE = 4
_FORM_WORDS = frozenset({"form", "type", "subtyp", "variant", "cas", "phas", "cours"})

# How specifically a text names a concept.
NOT_NAMED, BROADER, SPECIFIC = 0, 1, 2


class NamedText:
    """A text prepared for concept look-ups (its stem keys computed once)."""

    __slots__ = ("text", "padded", "sequence", "stems", "_drugs", "_lexicon")

    def __init__(self, text: str, lexicon: DrugLexicon | None = None, *, keys: str = "") -> None:
        self.text = text
        keys = keys or stem_key(text)
        self.padded = f" {keys} "
        self.sequence = keys.split()
        self.stems = frozenset(self.sequence)
        self._lexicon = lexicon
        self._drugs: frozenset[str] | None = None

    @classmethod
    def of_subjects(cls, subjects: list[str], lexicon: DrugLexicon | None) -> NamedText:
        keys = SUBJECT_SEPARATOR.join(stem_key(s) for s in subjects)
        return cls(SUBJECT_SEPARATOR.join(subjects), lexicon, keys=keys)

    def has_key(self, key: str) -> bool:
        return f" {key} " in self.padded

    def positions(self, key: str) -> list[int]:
        """Where ``key`` starts, as indices into :attr:`sequence`."""
        if not self.has_key(key):
            return []
        words = key.split()
        n = len(words)
        return [
            i
            for i, stem in enumerate(self.sequence)
            if stem == words[0] and self.sequence[i : i + n] == words
        ]

    @property
    def drugs(self) -> frozenset[str]:
        """Canonical names of the drugs the text mentions."""
        if self._drugs is None:
            self._drugs = self._lexicon.find(self.text) if self._lexicon else frozenset()
        return self._drugs


@dataclass(frozen=True)
class Concept:
    """Something a question is about, with every form that names it."""

    name: str  # as shown to the reader: "multiple sclerosis"
    kind: str  # condition | drug | words (no vocabulary term: the question's own words)
    keys: tuple[str, ...]  # stem keys of its exact forms (synonyms included)
    broader: tuple[str, ...] = ()  # keys of the broader concept it narrows
    general: str = ""  # the broader concept's name ("multiple sclerosis")
    aliases: tuple[str, ...] = ()  # case-sensitive short forms: "MS"
    synonyms: tuple[str, ...] = ()  # other names, as written: "high blood pressure"
    drugs: frozenset[str] = field(default_factory=frozenset)  # canonical drug names
    narrowing: frozenset[str] = field(default_factory=frozenset)  # {"progressiv"}, {"type 2"}
    narrower: tuple[str, ...] = ()  # keys of other, narrower conditions containing its words
    heads: tuple[tuple[str, str], ...] = ()  # (key, name) of shorter terms inside its name

    def relaxed(self) -> Concept:
        """This concept falling back to the longest shorter term inside its name ("vitamin
        D" for "vitamin D deficiency"), at the ``BROADER`` level; itself when it has none."""
        if not self.heads or self.broader:
            return self
        key, name = self.heads[0]
        return replace(self, broader=(key,), general=name)

    @property
    def words(self) -> tuple[str, ...]:
        """The stems of a word concept."""
        return tuple(dict.fromkeys(s for key in self.keys for s in key.split()))

    def level(self, text: NamedText) -> int:
        """``SPECIFIC`` when ``text`` names this concept, ``BROADER`` when only the broader
        concept it narrows (unqualified, or qualified as asked), else ``NOT_NAMED``."""
        if self.kind == "words":
            words = self.words
            found = sum(1 for s in words if s in text.stems)
            return SPECIFIC if words and found / len(words) >= WORDS_COVERAGE else NOT_NAMED
        if self.drugs & text.drugs:
            return SPECIFIC
        occurrences = self._base_occurrences(text)
        if not self.broader:
            return SPECIFIC if occurrences else NOT_NAMED
        if self._named_exactly(text):
            return SPECIFIC
        best = NOT_NAMED
        for modifiers in occurrences:
            if self.narrowing and modifiers & self.narrowing:
                return SPECIFIC  # "secondary progressive MS" names progressive MS
            if not self.narrowing or not modifiers:
                best = BROADER
        return best

    def named_in(self, text: NamedText) -> bool:
        return self.level(text) > NOT_NAMED

    def other_forms(self, text: NamedText) -> frozenset[str]:
        """The modifiers of other forms of the concept that ``text`` names, when it names no
        unqualified or asked-for form: {"relaps"} for "relapsing forms of MS" when progressive
        MS is asked."""
        if not self.narrowing or self._named_exactly(text):
            return frozenset()
        found: set[str] = set()
        for modifiers in self._base_occurrences(text):
            if not modifiers or modifiers & self.narrowing:
                return frozenset()
            found |= modifiers
        return frozenset(found)

    def modified_only(self, text: NamedText) -> bool:
        """Whether ``text`` names the concept only with modifiers the question did not use
        ("juvenile ALS" when ALS is asked): a document about a subtype."""
        if self._named_exactly(text):
            return False
        occurrences = self._base_occurrences(text)
        return bool(occurrences) and all(m and not m <= self.narrowing for m in occurrences)

    def _alias_named(self, text: NamedText, named: bool) -> bool:
        """A short form counts unless the text defines it as something else: "Marburg
        hemorrhagic fever (Marburg HF)" does not name heart failure."""
        if not self.aliases or not _alias_pattern(self.aliases).search(text.text):
            return False
        return named or not _alias_definition(self.aliases).search(text.text)

    def _named_exactly(self, text: NamedText) -> bool:
        """A narrowed or relaxed concept named in its own full words."""
        return bool(self.broader) and any(text.has_key(k) for k in self.keys)

    def _base_occurrences(self, text: NamedText) -> list[frozenset[str]]:
        """For each place the concept (or the broader one it narrows) is named outside a
        narrower condition's name, the modifiers right before it."""
        found = []
        taken = _narrower_positions(text, self.narrower)
        for key in self.broader or self.keys:
            size = len(key.split())
            for i in text.positions(key):
                if not taken & set(range(i, i + size)):
                    found.append(_modifiers_before(text.sequence, i))
        if self._alias_named(text, bool(found)):
            for alias in self.aliases:
                for i in text.positions(stem_key(alias)):
                    found.append(_modifiers_before(text.sequence, i))
        return found

    def to_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"name": self.name, "kind": self.kind}
        if self.aliases:
            found["aliases"] = list(self.aliases)
        if self.general:
            found["broader"] = self.general
        return found


def _narrower_positions(text: NamedText, narrower: tuple[str, ...]) -> set[int]:
    taken: set[int] = set()
    for key in narrower:
        size = len(key.split())
        for i in text.positions(key):
            taken.update(range(i, i + size))
    return taken


def _modifiers_before(sequence: list[str], start: int) -> frozenset[str]:
    """Clinical modifiers ("relaps", "progressiv") and numbered labels ("type 1") just before
    ``sequence[start]``, looking past form words ("relapsing forms of MS")."""
    found: set[str] = set()
    i = start - 1
    while i >= 0 and start - i <= MAX_MODIFIERS_BEFORE:
        stem = sequence[i]
        if stem in MODIFIER_STEMS:
            found.add(modifier(stem))
        elif NUMBERED.match(stem) and i > 0 and sequence[i - 1] in NUMBERED_HEADS:
            found.add(f"{sequence[i - 1]} {stem}")
            i -= 1
        elif stem not in _FORM_WORDS:
            break
        i -= 1
    return frozenset(found)


@lru_cache(maxsize=4096)
def _alias_pattern(aliases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(a) for a in aliases) + r")\b")


@lru_cache(maxsize=4096)
def _alias_definition(aliases: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\((?:[^()]*\s)?(?:" + "|".join(re.escape(a) for a in aliases) + r")\)")


def untitled(document: Document) -> bool:
    """PubMedQA records have no titles; their placeholder says nothing about the subject."""
    return document.title.startswith("PubMed ") or bool(document.metadata.get("text_is_title"))


def subjects(document: Document) -> list[str]:
    """What a document is about, in its own words: a MedQuAD page's focus (its title is a
    question about the focus), else its title, plus MeSH headings and a label's drug names."""
    focus = document.metadata.get("focus")
    found = [focus] if isinstance(focus, str) and focus else []
    if not found and not untitled(document):
        found.append(document.title)
    for heading in document.mesh:
        head, comma, rest = heading.partition(", ")
        found.append(f"{rest} {head}" if comma else heading)
    for names in ("generic_names", "brand_names"):
        value = document.metadata.get(names)
        if isinstance(value, list):
            found.extend(str(v) for v in value)
    return found


def has_focus(document: Document) -> bool:
    """A page written about one named subject (a MedQuAD page): about nothing else."""
    return bool(document.metadata.get("focus"))

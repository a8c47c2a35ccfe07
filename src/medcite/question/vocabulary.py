"""The corpus's own topic vocabulary: the conditions, drugs and procedures its documents are
about, so a question's topic is found in the words the corpus uses.

Built once per corpus snapshot (``Engine.index`` builds it; ``Engine`` rebuilds it on first
use when the corpus changed) and kept in the data directory as a pickle:

- terms: MedQuAD page foci, PubMed MeSH headings (inverted headings also in natural order:
  "Anemia, Iron-Deficiency" → "iron deficiency anemia") and drug-label drug names, keyed by
  stem key (:func:`medcite.question.topic.stem_key`), with the number of documents about each;
  terms made only of generic words ("Risk Factors", "Middle Aged", "Treatment Outcome") and
  population words are left out (:mod:`medcite.question.words`);
- short forms harvested from the text: "complex regional pain syndrome (CRPS)" makes CRPS a
  case-sensitive alias of that term, when seen at least ``MIN_ALIAS_SEEN`` times.

:meth:`TopicVocabulary.find` matches a question's words against it, longest term first.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from medcite.corpus.store import CorpusStore, document_table
from medcite.question.words import (
    ANATOMY,
    FILLER,
    GENERIC_STEMS,
    METHOD_WORDS,
    POPULATION_STEMS,
    generic,
    key_stem,
    key_stems,
    stem_key,
)
from medcite.text.drugs import DrugLexicon
from medcite.text.sentences import split_sentences
from medcite.text.terms import STOPWORDS

FILE_NAME = "topic-vocabulary.pickle"
FORMAT_VERSION = 4  # 4: keys spell British words the American way
MAX_TERM_WORDS = 8
MIN_ALIAS_SEEN = 2
MIN_INFLECTED, MAX_INFLECTION = 8, 3  # "frostbitten" (11) inflects "frostbit" (8)
ALIAS_SCAN_CHARS = 4000  # short forms are defined early in a text
_ALIAS = re.compile(r"([A-Z][A-Za-z0-9-]{0,8}[A-Z0-9])s?")
_PARENTHESIS = re.compile(
    r"\(([^()]{2,60})\)|,\s*(?:also )?(?:called|known as)\s+([^,.;()]{3,60})", re.IGNORECASE
)
_SYNONYM_LEAD = re.compile(
    r"^\s*(?:also called|also known as|called|known as|or|i\.e\.,?)\s+", re.I
)
_SYNONYM_SPLIT = re.compile(r"\s*(?:,|;|\bor\b)\s*")
_FOCUS_PARENTHESIS = re.compile(r"\(([^()]+)\)")
_FOCUS_DASH = re.compile(r"\s+-\s+")
TEMPLATED_LEVELS = frozenset({"consumer", "label", "guideline"})
BOILERPLATE_DOCS = 25  # a sentence in this many templated documents is the template's
_WORD = re.compile(r"[^\W_][\w'’-]*")
_POSSESSIVE_END = re.compile(r"['’]s$")
_DISEASE_HEADS = frozenset({"diseas", "syndrom", "disord"})
MIN_NAME_LETTERS = 5  # the shortest one-word name a head word may be dropped from
NAME_FAMILY = 5  # terms a one-word name may begin and still name one condition family
_SHORTENED_HEADS = ("syndrom", "diseas", "poison")  # heads a clinician's short name drops
_ALSO_KNOWN_AS = key_stem("known")  # a focus naming the condition by another name
# Capitalised words that read as ordinary words in a question ("ALL", "AS", "AGE").
_NOT_ALIASES = STOPWORDS | FILLER | METHOD_WORDS | frozenset("age act art aim sex man".split())
ANATOMY_STEMS = frozenset(stem_key(w) for w in ANATOMY)
_POPULATION_TERMS = frozenset(
    """pregnancy pregnant lactation breast feeding infant newborn child children preschool
    adolescent adult aged elderly men women male female""".split()
)


@dataclass
class Term:
    """A topic term: how it is written and how many documents are about it."""

    name: str
    kind: str  # condition | drug
    docs: int = 0
    aliases: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()  # every stem key it is written with ("anemia iron deficiency")
    page: bool = False  # a page of the corpus is written about it (a MedQuAD focus)


@dataclass(frozen=True)
class TermMatch:
    """A vocabulary term found in a question: which words (token indices) it covers."""

    key: str
    term: Term
    start: int  # index of its first word among the question's words
    end: int  # one past its last word


@dataclass
class TopicVocabulary:
    """Topic terms by stem key, and case-sensitive short forms → stem key."""

    terms: dict[str, Term] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    snapshot: str | None = None  # the corpus snapshot it was built from
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key → synonym keys
    boilerplate: frozenset[int] = field(default_factory=frozenset)  # sentence hashes
    _by_stem: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return not self.terms

    def _inflected(self, stem: str) -> str | None:
        """The one-word term a longer word inflects: its stem starts with the term's and is
        at most ``MAX_INFLECTION`` letters longer."""
        for cut in range(1, MAX_INFLECTION + 1):
            key = stem[:-cut]
            if len(key) >= MIN_INFLECTED - MAX_INFLECTION and key in self.terms:
                return key
        return None

    def forms(self, key: str, term: Term) -> tuple[str, ...]:
        """Every key that names the term: its own forms and its synonyms' ("hypertension",
        "high blood pressure")."""
        own = (key, *term.keys)
        return tuple(dict.fromkeys([*own, *(s for k in own for s in self.synonyms.get(k, ()))]))

    def heads(self, key: str) -> tuple[tuple[str, str], ...]:
        """(key, name) of the shorter terms inside a term, longest first: "vitamin d" in
        "vitamin d deficiency". What a question's term falls back to when nothing in the
        corpus names it exactly."""
        words = key.split()
        found = []
        for size in range(len(words) - 1, 0, -1):
            for start in range(len(words) - size + 1):
                part = " ".join(words[start : start + size])
                term = self.terms.get(part)
                if term is not None and not generic(part.split()):
                    found.append((part, term.name))
        return tuple(found)

    def synonym_names(self, key: str) -> tuple[str, ...]:
        return tuple(self.terms[k].name for k in self.synonyms.get(key, ()) if k in self.terms)

    def narrower(self, keys: tuple[str, ...]) -> tuple[str, ...]:
        """Keys of other conditions whose names end with one of ``keys`` after words of their
        own that are not modifiers, populations or generic ("pulmonary hypertension" for
        "hypertension"; not "kidney stones in adults" for "kidney stones", nor "nausea and
        vomiting" for "nausea": an English name ends with what it is)."""
        found = []
        for key in keys:
            words = key.split()
            padded = f" {key} "
            for other in self._stem_index().get(words[-1], ()):
                if other in keys or not f" {other}".endswith(padded.rstrip()):
                    continue
                if key in self.terms[other].keys:
                    continue  # another name of the same page ("Parasites - X")
                extra = [s for s in other.split() if s not in words]
                if _ALSO_KNOWN_AS in extra:
                    continue  # "Parasites - American Trypanosomiasis (also known as Chagas …)"
                if not all(s in GENERIC_STEMS or s in POPULATION_STEMS for s in extra):
                    found.append(other)
        return tuple(dict.fromkeys(found))

    def is_boilerplate(self, sentence: str) -> bool:
        """A sentence repeated word for word across many documents (a template's text)."""
        return bool(self.boilerplate) and _sentence_hash(sentence) in self.boilerplate

    def find(self, words: list[str]) -> list[TermMatch]:
        """Terms among ``words`` (a question's words as written), longest first, never two
        over the same word. A word that is a known short form matches case-sensitively."""
        stems = [key_stems(w) for w in words]
        found: list[TermMatch] = []
        taken = [False] * len(words)
        for size in range(min(MAX_TERM_WORDS, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                if any(taken[start : start + size]):
                    continue
                parts = [s for group in stems[start : start + size] for s in group]
                if not parts or not stems[start] or not stems[start + size - 1]:
                    continue  # a term starts and ends on a content word
                key = " ".join(parts)
                term = self.terms.get(key)
                if term is None or _participle_of(words[start + size - 1], term):
                    continue
                found.append(TermMatch(key, term, start, start + size))
                taken[start : start + size] = [True] * size
        found += self._headless(words, stems, taken)
        for i, group in enumerate(stems):
            if taken[i] or len(group) != 1 or len(group[0]) < MIN_INFLECTED:
                continue
            if words[i].lower().endswith("ing"):
                continue  # "a burning patch" is a sensation, not burns
            inflected = self._inflected(group[0])
            if inflected is not None:  # "frostbitten" → frostbite, "diabetic" → diabetes
                found.append(TermMatch(inflected, self.terms[inflected], i, i + 1))
                taken[i] = True
        for i in range(len(words)):
            eponym = None if taken[i] else self._eponym(words, stems, i)
            if eponym is not None and not any(taken[eponym.start : eponym.end]):
                found.append(eponym)
                taken[eponym.start : eponym.end] = [True] * (eponym.end - eponym.start)
        shouting = sum(w.isupper() for w in words) > len(words) / 2  # "WHAT IS ALL?"
        for i, word in enumerate(words if not shouting else ()):
            alias = self.aliases.get(word.strip("'’"))
            if i and words[i - 1].lower() == "the":
                continue  # "in the ED" is a place (the emergency department), not a condition
            if alias and not taken[i] and alias in self.terms:
                found.append(TermMatch(alias, self.terms[alias], i, i + 1))
                taken[i] = True
        return sorted(found, key=lambda m: m.start)

    def _headless(
        self, words: list[str], stems: list[list[str]], taken: list[bool]
    ) -> list[TermMatch]:
        """Page terms named without their head word, as clinicians shorten them ("carpal
        tunnel" → carpal tunnel syndrome, "carbon monoxide" → carbon monoxide poisoning,
        "Moyamoya" → moyamoya disease): two or more words no term has taken, or one
        capitalised name that every term using it begins with. Marks the words they cover
        ``taken``."""
        found = []
        for size in range(min(MAX_TERM_WORDS - 1, len(stems)), 0, -1):
            for start in range(len(stems) - size + 1):
                if (
                    any(taken[start : start + size])
                    or not stems[start]
                    or not stems[start + size - 1]
                    or (size == 1 and not self._name_of_one_family(words[start], stems[start]))
                ):
                    continue
                key = " ".join(s for group in stems[start : start + size] for s in group)
                for head in _SHORTENED_HEADS:
                    term = self.terms.get(f"{key} {head}")
                    if term is not None and term.page:
                        found.append(TermMatch(f"{key} {head}", term, start, start + size))
                        taken[start : start + size] = [True] * size
                        break
        return found

    def _name_of_one_family(self, word: str, stems: list[str]) -> bool:
        """A capitalised name only a few terms use, each beginning with it ("Moyamoya",
        "Marfan", "Prader-Willi"), not an ordinary word many terms share ("Heart", "Down")."""
        if not word[:1].isupper() or len(word) < MIN_NAME_LETTERS or not stems:
            return False
        if len(stems) > 1 and "-" not in word:
            return False  # one name, or one hyphenated name
        name = " ".join(stems)
        using = self._stem_index().get(stems[0], [])
        return 0 < len(using) <= NAME_FAMILY and all(k.startswith(f"{name} ") for k in using)

    def _eponym(self, words: list[str], stems: list[list[str]], i: int) -> TermMatch | None:
        """The page term a possessive eponym names ("Paget's disease" → Paget's disease of
        bone, "Tourette's" → Tourette syndrome): a term starting with the name whose other
        words are generic (disease heads) or used by the question, or that goes on as the
        question does ("disease"), the most written about; the match covers the head word
        that follows the name."""
        word = words[i]
        if not word[:1].isupper() or not _POSSESSIVE_END.search(word) or len(stems[i]) != 1:
            return None
        name = stems[i][0]
        used = {s for group in stems for s in group}
        head = stems[i + 1][:1] if i + 1 < len(stems) and set(stems[i + 1]) & _DISEASE_HEADS else []
        fitting = [
            key
            for key in self._stem_index().get(name, ())
            if key.split()[0] == name
            and self.terms[key].page
            and (
                all(s in used or s in GENERIC_STEMS for s in key.split()[1:])
                or (head and key.split()[1:2] == head)  # "Paget's disease" of bone
            )
        ]
        key = max(fitting, key=lambda k: self.terms[k].docs, default=None)
        if key is None:
            return None
        return TermMatch(key, self.terms[key], i, i + 1 + len(head))

    def _stem_index(self) -> dict[str, list[str]]:
        if self._by_stem is None:
            index: dict[str, list[str]] = defaultdict(list)
            for term_key in self.terms:
                for stem in set(term_key.split()):
                    index[stem].append(term_key)
            self._by_stem = dict(index)
        return self._by_stem

    # -- persistence ----------------------------------------------------------------------

    def save(self, home: Path) -> None:
        path = home / FILE_NAME
        tmp = path.with_suffix(".tmp")
        data: dict[str, object] = {
            "version": FORMAT_VERSION,
            "snapshot": self.snapshot,
            "terms": self.terms,
            "aliases": self.aliases,
            "synonyms": self.synonyms,
            "boilerplate": self.boilerplate,
        }
        with tmp.open("wb") as fh:
            pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, home: Path) -> TopicVocabulary | None:
        """The saved vocabulary, or None when there is none (or it is unreadable/outdated)."""
        path = home / FILE_NAME
        try:
            with path.open("rb") as fh:
                data = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            return None
        return cls(
            data["terms"], data["aliases"], data["snapshot"], data["synonyms"], data["boilerplate"]
        )


def _participle_of(word: str, term: Term) -> bool:
    """ "burning" against the term "burns": a sensation or an act, not the condition its stem
    names (a term written with "-ing", "smoking" or "bleeding", is matched as usual)."""
    return word.lower().endswith("ing") and not term.name.split()[-1].endswith("ing")


def question_words(text: str) -> list[str]:
    """A question's words as written (what :meth:`TopicVocabulary.find` indexes)."""
    return _WORD.findall(text)


def build_vocabulary(
    store: CorpusStore, lexicon: DrugLexicon | None = None, snapshot: str | None = None
) -> TopicVocabulary:
    """The topic vocabulary of everything in ``store`` (see the module docstring)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)  # key → written forms
    kinds: dict[str, str] = {}
    docs: Counter[str] = Counter()
    pages: set[str] = set()
    siblings: dict[str, set[str]] = defaultdict(set)  # key → keys of the same term
    contexts: list[tuple[str, tuple[str, ...]]] = []  # (parenthesised text, stems before)
    sentences: Counter[int] = Counter()
    for row in _rows(store):
        keys_here: set[str] = set()
        for forms, kind in _subject_terms(row):
            keys = [k for k in dict.fromkeys(stem_key(f) for f in forms) if _usable(k)]
            for written, key in zip(forms, map(stem_key, forms), strict=True):
                if key in keys:
                    counts[key][written] += 1
                    kinds.setdefault(key, kind)
                    siblings[key].update(keys)
                    if kind == "page":
                        pages.add(key)
            keys_here.update(keys)
        docs.update(keys_here)
        contexts.extend(_parenthesised(row["text"][:ALIAS_SCAN_CHARS]))
        if row["evidence_level"] in TEMPLATED_LEVELS:
            sentences.update(
                {_sentence_hash(row["text"][a:b]) for a, b in split_sentences(row["text"])}
            )
    terms = {
        key: Term(
            _display_name(forms),
            _kind(key, kinds[key], forms, lexicon),
            docs[key],
            keys=tuple(sorted(siblings[key], key=lambda k: k != key)),
            page=key in pages,
        )
        for key, forms in counts.items()
    }
    seen = _alias_counts(contexts, terms)
    aliases = _aliases(seen)
    for alias, key in aliases.items():
        terms[key].aliases = (*terms[key].aliases, alias)
    boilerplate = frozenset(h for h, n in sentences.items() if n >= BOILERPLATE_DOCS)
    synonyms = _synonyms(contexts, terms)
    for a, b in _shared_aliases(seen):
        synonyms[a] = (*synonyms.get(a, ()), b)
        synonyms[b] = (*synonyms.get(b, ()), a)
    return TopicVocabulary(terms, aliases, snapshot, synonyms, boilerplate)


def _sentence_hash(sentence: str) -> int:
    normalised = " ".join(sentence.lower().split()).encode()
    return int.from_bytes(hashlib.blake2b(normalised, digest_size=8).digest(), "big")


def focus_forms(focus: str) -> list[str]:
    """A page focus and the names it is made of: "Parasites - Cyclosporiasis (Cyclospora
    Infection)" is also "Cyclosporiasis" and "Cyclospora Infection"."""
    forms = [focus]
    inner = _FOCUS_PARENTHESIS.findall(focus)
    outer = _FOCUS_PARENTHESIS.sub(" ", focus).strip()
    parts = [p.strip() for p in _FOCUS_DASH.split(outer) if p.strip()]
    forms += [parts[-1], *inner] if len(parts) > 1 or inner else []
    return list(dict.fromkeys(f for f in forms if f))


def _rows(store: CorpusStore) -> Iterator[dict[str, str]]:
    names = ("collection", "title", "mesh", "metadata", "evidence_level", "text")
    query = select(*(document_table.c[name] for name in names))
    with store.engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(query)
        while rows := result.mappings().fetchmany(2000):
            yield from (dict(r) for r in rows)


def _subject_terms(row: dict[str, str]) -> Iterator[tuple[list[str], str]]:
    """(written forms, kind) of every term a document row is about; a MeSH heading's
    inversion is one more form of the same term."""
    metadata = json.loads(row["metadata"] or "{}")
    focus = metadata.get("focus")
    if isinstance(focus, str) and focus.strip():
        yield focus_forms(focus.strip()), "page"
    for heading in json.loads(row["mesh"] or "[]"):
        head, comma, rest = heading.partition(", ")
        # "Anemia, Iron-Deficiency" is also "Iron-Deficiency Anemia" (natural order first).
        yield ([f"{rest} {head}", heading] if comma else [heading]), "condition"
    for names in ("generic_names", "brand_names"):
        for name in metadata.get(names) or ():
            yield [str(name)], "drug"


def _usable(key: str) -> bool:
    stems = key.split()
    if not stems or len(stems) > MAX_TERM_WORDS or len(key) < 3:
        return False
    if all(s in _POPULATION_TERMS or s in ANATOMY_STEMS for s in stems):
        return False
    return not generic(stems)


def _display_name(forms: Counter[str]) -> str:
    """The most used written form; a MeSH-style inversion only when nothing else exists."""
    ranked = sorted(forms.items(), key=lambda kv: (", " in kv[0], -kv[1], kv[0]))
    name = ranked[0][0]
    return name if name.isupper() or any(c.isdigit() for c in name) else name.lower()


def _kind(key: str, kind: str, forms: Counter[str], lexicon: DrugLexicon | None) -> str:
    kind = "condition" if kind == "page" else kind
    if kind == "drug" or lexicon is None or not lexicon.available:
        return kind
    written = next(iter(forms))
    mentions = lexicon.mentions(written)
    return "drug" if mentions and stem_key(" ".join(mentions)) == key else kind


def _parenthesised(text: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(what a parenthesis or "also called" says, the stems of the words before it): the
    candidates for short forms ("... syndrome (CRPS)") and synonyms ("... (hypertension)")."""
    for match in _PARENTHESIS.finditer(text):
        inner = match.group(1) or match.group(2)
        before = _WORD.findall(text[max(0, match.start() - 120) : match.start()])
        yield inner.strip(), tuple(key_stems(" ".join(before[-MAX_TERM_WORDS:])))


def _preceding_term(stems: tuple[str, ...], terms: dict[str, Term]) -> str | None:
    """The longest term the words before a parenthesis end with."""
    for size in range(min(len(stems), MAX_TERM_WORDS), 0, -1):
        key = " ".join(stems[-size:])
        if key in terms:
            return key
    return None


def _alias_counts(
    contexts: Iterable[tuple[str, tuple[str, ...]]], terms: dict[str, Term]
) -> dict[str, Counter[str]]:
    """Short form → how often each term key precedes it ("... syndrome (CRPS)"); the long
    form's first letter must be the short form's."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for inner, stems in contexts:
        alias = _ALIAS.fullmatch(inner)
        if alias is None:
            continue
        short = alias.group(1)
        if sum(c.isupper() for c in short) < 2 or short.lower() in _NOT_ALIASES:
            continue
        key = _preceding_term(stems, terms)
        if key is not None and key[0] == short[0].lower():
            seen[short][key] += 1
    return seen


def _aliases(seen: dict[str, Counter[str]]) -> dict[str, str]:
    """Short form → the term key it most often follows (seen at least MIN_ALIAS_SEEN times)."""
    found = {}
    for alias, keys in seen.items():
        key, count = keys.most_common(1)[0]
        if count >= MIN_ALIAS_SEEN and stem_key(alias) != key:
            found[alias] = key
    return found


def _shared_aliases(seen: dict[str, Counter[str]]) -> list[tuple[str, str]]:
    """Pairs of terms defined with the same short form that share most of their words:
    "chronic myeloid leukemia" and "chronic myelogenous leukemia" (CML), not "multiple
    sclerosis" and "mitral stenosis" (MS)."""
    pairs = []
    for keys in seen.values():
        ranked = [k for k, _ in keys.most_common()]
        if not ranked or keys[ranked[0]] < MIN_ALIAS_SEEN:
            continue  # the short form itself is not established
        for i, a in enumerate(ranked):
            for b in ranked[i + 1 :]:
                own_a, own_b = _own_stems(a), _own_stems(b)
                shared = own_a & own_b  # "disease" in both names nothing in common
                if shared and len(shared) * 2 >= max(len(own_a), len(own_b)):
                    pairs.append((a, b))
    return pairs


def _own_stems(key: str) -> set[str]:
    return {s for s in key.split() if s not in GENERIC_STEMS}


def _synonyms(
    contexts: Iterable[tuple[str, tuple[str, ...]]], terms: dict[str, Term]
) -> dict[str, tuple[str, ...]]:
    """Terms each written as the other's parenthesis or "also called", both ways round:
    "high blood pressure (hypertension)" and "hypertension (high blood pressure)". One way
    only is usually a broader term ("leukemia (cancer)"), not a synonym."""
    seen: set[tuple[str, str]] = set()
    for inner, stems in contexts:
        for part in _SYNONYM_SPLIT.split(_SYNONYM_LEAD.sub("", inner)):
            key = stem_key(part)
            other = _preceding_term(stems, terms) if key in terms else None
            if other is not None and other != key:
                seen.add((other, key))
    found: dict[str, tuple[str, ...]] = {}
    for a, b in seen:
        if (b, a) in seen:
            found[a] = (*found.get(a, ()), b)
    return found

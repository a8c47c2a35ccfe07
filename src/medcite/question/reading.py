"""Reading a question once, for retrieval and every composer alike.

    reading = read_question("Which drugs prevent migraine and which relieve an attack?",
                            vocabulary=vocabulary, lexicon=lexicon)
    reading.topic.name       # "migraine"
    [a.intent for a in reading.aspects]   # ["prevention", "treatment"]
    reading.query, reading.also           # what retrieval searches for

What a reading holds:

- **concepts**: the conditions, drugs and procedures an answer must name, found with the
  corpus's vocabulary (:mod:`medcite.question.vocabulary`) and the drug lexicon — never with
  generic question words. The first is the *topic*. Clinical modifiers next to a condition
  narrow it ("progressive multiple sclerosis", broader: "multiple sclerosis"). A term in the
  asked-for slot ("Which anticoagulants ...?") says what kind of answer is wanted; it is
  searched for but not required. Without any vocabulary term, the question's remaining content
  words stand in as one concept;
- **aspects**: every intent asked (:mod:`medcite.question.aspects`);
- **population** ("in children", "during pregnancy") and parenthesised **subgroups**;
- **qualifiers**: other specific words ("size", "flare"), which rank sentences but lock nothing.

A follow-up ("what about fatigue?") is read in its thread: it inherits the thread's topic and
aspects unless it names its own; a condition it names that the corpus discusses together with
the thread's topic (``cooccurs``) narrows the thread ("fatigue in multiple sclerosis") instead
of replacing it, while one the corpus never mentions with it starts a new subject ("what about
gout?"). The rewrite is shown as ``answering``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from medcite.models import Hit
from medcite.question.aspects import OPENS, Aspect, read_aspects
from medcite.question.followup import POPULATIONS, ThreadState, parse_turn, render
from medcite.question.intent import (
    INTENT_QUERY_WORDS,
    INTENT_RULES,
    TEMPLATES,
    SectionSpec,
    Subgroup,
    analyse,
)
from medcite.question.topic import Concept, NamedText, subjects
from medcite.question.vocabulary import Term, TermMatch, TopicVocabulary, question_words
from medcite.question.words import (
    DRUG_CLASS,
    FILLER_STEMS,
    GENERIC_STEMS,
    MODIFIER_STEMS,
    MODIFIERS,
    NAMED_DISEASE,
    NUMBERED,
    NUMBERED_HEADS,
    SYMPTOM,
    generic,
    key_stem,
    key_stems,
    modifier,
    specificity,
    stem_key,
)
from medcite.text.drugs import DrugLexicon
from medcite.text.sentences import split_sentences

Cooccurs = Callable[[Concept, Concept], bool]
MIN_NAME = 4  # letters of the shortest word looked up as a name
PAGE_FAMILY = 4  # pages about one term that make it a condition the corpus is organised by
DESCRIBED_FOCI = 5  # best-matching page foci that break a tie between two named conditions
# "38-year-old", and as clinicians write it: "30yo", "52M", "28F"
_AGE = re.compile(r"\d+-(?:year|month|week|day)s?-old|\d+(?:yo|y/o|yrs?|[MF])", re.IGNORECASE)
DISEASE_HEADS = frozenset(
    key_stem(w) for w in "syndrome disease disorder infection virus vaccine allergy".split()
)
InCorpus = Callable[[str], bool]
INFER_LEAD = 1.5  # how far the best-matching focus must lead the next to be taken unnamed
# How many more of a description's words the best-covering focus's pages must write than any
# other's ("white, then bluish, then red and throbbing in the cold": Raynaud's)
COVER_MARGIN = 2
NAMED_WORDS = 2  # words of a word concept that name something rather than tell a story
_PARENTHETICAL = re.compile(r"\(([^()]*)\)")
_ASKED_FOR = frozenset({"which", "what"})
_PATIENT_PREPOSITIONS = frozenset({"in", "after", "during"})
_PATIENT_GAP = 6  # words from the condition asked about to "in <the patient's condition>"
_EFFECT_VERBS = frozenset(
    """reduce reduces lower lowers improve improves increase increases raise raises prevent
    prevents decrease decreases worsen worsens cut cuts""".split()
)
_LISTED = frozenset({"and", "or"})
_KIND_OF = frozenset({"kind", "kinds", "type", "types", "class", "classes", "form", "forms"})
_RULED_OUT = re.compile(
    r"\b(?:cannot|can't|unable to|intolerant (?:of|to)|allergic to|without|avoid\w*|"
    r"contraindicat\w*|(?:not|never) (?:take|tolerate|use|have))\b(?:\s+\w+){0,2}\s*$",
    re.IGNORECASE,
)
MAX_QUALIFIERS = 6
_WEAK = frozenset({"evidence", "definition"})
_CLAUSE_BREAK = re.compile(
    rf"[.;?!](?=\s)|,\s*(?=(?:and |or |but )?{OPENS})|\s(?:and|or|but)\s+(?={OPENS})",
    re.IGNORECASE,
)
_FRAME = re.compile(r"\W*(?:for|in|among|after|during|with)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_][\w'’-]*")  # as medcite.question.vocabulary.question_words
# Intents whose answers are about the drug itself: every statement names it.
DRUG_SUBJECT_INTENTS = frozenset({"adverse_effects", "dosing", "interactions", "evidence"})
ASPECT_WORDS = 2  # of an intent's query words: more would outweigh the topic


@dataclass(frozen=True)
class FocusMatch:
    """A page focus matched to a question's words: its pages' BM25 score and how many of the
    question's content words they write."""

    focus: str
    score: float
    covered: int


# Page foci ranked by how well their pages match a question's words, best first.
Described = Callable[[str], "list[FocusMatch]"]


@dataclass(frozen=True)
class QuestionReading:
    """What a question is about and what it asks; see the module docstring."""

    question: str
    answering: str  # the question as answered: itself, or a follow-up's rewrite
    concepts: tuple[Concept, ...]  # an answer must name each; the first is the topic
    aspects: tuple[Aspect, ...]
    asked_for: tuple[Concept, ...] = ()  # "Which anticoagulants ...": searched, not required
    population: str = ""  # a phrase like "in children"
    subgroups: tuple[Subgroup, ...] = ()
    qualifiers: tuple[str, ...] = ()  # other specific words, as written
    follow_up: bool = False
    # The condition a question that names none was matched to by its description, if any
    inferred: str = ""
    # Names the question uses that neither the vocabulary nor any passage writes ("Arexvy")
    unwritten: tuple[str, ...] = ()
    # Concepts a follow-up narrowed the thread to ("fatigue" in MS): every statement names
    # them itself, not only its passage.
    focus: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    state: ThreadState = field(default_factory=lambda: ThreadState("definition"))
    # The corpus vocabulary it was read with (composers ask it what is template boilerplate).
    vocabulary: TopicVocabulary | None = field(default=None, compare=False, repr=False)

    @property
    def topic(self) -> Concept | None:
        return self.concepts[0] if self.concepts else None

    @property
    def intent(self) -> str:
        """The main aspect's intent."""
        return self.aspects[0].intent

    @property
    def intents(self) -> tuple[str, ...]:
        return tuple(a.intent for a in self.aspects)

    @property
    def drugs(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if c.kind == "drug")

    @property
    def qualifier_stems(self) -> frozenset[str]:
        return frozenset(s for w in self.qualifiers for s in key_stems(w))

    @property
    def template(self) -> list[SectionSpec]:
        """Each aspect's main section (in the order asked), then the main aspect's others."""
        sections = [TEMPLATES[a.intent][0] for a in self.aspects]
        kinds = {s.kind for s in sections}
        for spec in [s for a in self.aspects for s in TEMPLATES[a.intent][1:]]:
            if spec.kind not in kinds:
                sections.append(spec)
                kinds.add(spec.kind)
        return sections

    @property
    def query(self) -> str:
        """Retrieval's main query: the concepts, what is asked for, the qualifiers and the
        main aspect's own words — never the raw wording ("taken together" finds nothing)."""
        parts = [*self._concept_words(), *self.qualifiers, *(g.label for g in self.subgroups)]
        parts += [w for w in self.population.split() if w not in {"in", "during"}]
        aspect = self.aspects[0]
        intent_words = INTENT_QUERY_WORDS.get(aspect.intent, ())[:ASPECT_WORDS]
        return _joined([*parts, *aspect.words, *intent_words])

    @property
    def also(self) -> list[str]:
        """Queries fused with ``query``: one per aspect (the concepts, that aspect's own words
        and its intent's first key words: more of those would outweigh the topic)."""
        concepts = self._concept_words()
        return [
            _joined([*concepts, *a.words, *INTENT_QUERY_WORDS.get(a.intent, ())[:ASPECT_WORDS]])
            for a in self.aspects
        ]

    def _concept_words(self) -> list[str]:
        return [_query_name(c) for c in (*self.concepts, *self.asked_for)]

    def overview(self) -> QuestionReading:
        """The reading asking only what the corpus says of the topic (when nothing answers
        the aspects asked)."""
        return replace(self, aspects=(Aspect("definition", self.question, ()),))

    @property
    def relaxable(self) -> bool:
        return any(c.relaxed() is not c for c in self.concepts)

    def relaxed(self) -> QuestionReading:
        """The reading with every concept falling back to the shorter term inside its name
        (see :meth:`Concept.relaxed`): what to answer when nothing names the exact terms."""
        return replace(self, concepts=tuple(c.relaxed() for c in self.concepts))

    def describe_topic(self) -> str:
        """The topic as a reader would say it: "bupropion with escitalopram",
        "fatigue in multiple sclerosis"."""
        if not self.concepts:
            return "the question's subject"
        if self.intent == "interactions" and len(self.drugs) >= 2:
            return " with ".join(c.name for c in self.drugs)
        if self.follow_up and self.state.topic:
            return " ".join([self.state.topic, *self.state.drugs])
        return " and ".join(c.name for c in self.concepts)

    def to_dict(self) -> dict[str, object]:
        """The ``question_reading`` field of an answer."""
        return {
            "topic": self.topic.to_dict() if self.topic else None,
            "entities": [c.to_dict() for c in self.concepts],
            "asked_for": [c.name for c in self.asked_for],
            "aspects": [a.to_dict() for a in self.aspects],
            "population": self.population or None,
            "subgroups": [g.label for g in self.subgroups],
            "qualifiers": list(self.qualifiers),
            "answering": self.answering,
            "follow_up": self.follow_up,
            **({"inferred_topic": self.inferred} if self.inferred else {}),
        }


def _joined(parts: list[str]) -> str:
    return " ".join(dict.fromkeys(p for p in parts if p))


def _query_name(concept: Concept) -> str:
    return " ".join([concept.name, *concept.aliases[:1], *concept.synonyms[:2]])


def read_question(
    question: str,
    history: Sequence[str] = (),
    *,
    vocabulary: TopicVocabulary | None = None,
    lexicon: DrugLexicon | None = None,
    cooccurs: Cooccurs | None = None,
    in_corpus: InCorpus | None = None,
    described: Described | None = None,
) -> QuestionReading:
    """Read ``question`` in the thread of ``history`` (earlier questions, oldest first).
    ``in_corpus`` says whether a word is written anywhere in the corpus: a name the question
    asks about that it is not ("Arexvy", "alpha-gal", "auris") is required, so that an answer
    abstains naming it rather than answering about the rest. ``described`` names the page
    focus whose pages best match a question that describes a condition without naming one;
    the reading is then about it, marked ``inferred``."""
    reader = _Reader(vocabulary or TopicVocabulary(), lexicon, cooccurs, in_corpus, described)
    previous: QuestionReading | None = None
    for earlier in history:
        previous = reader.read(earlier, previous, ())
    return reader.read(question, previous, tuple(history))


@dataclass
class _Reader:
    vocabulary: TopicVocabulary
    lexicon: DrugLexicon | None
    cooccurs: Cooccurs | None
    in_corpus: InCorpus | None = None
    described: Described | None = None
    _described: dict[str, list[FocusMatch]] = field(default_factory=dict)

    def _names_no_disease(self, reading: QuestionReading) -> bool:
        """Nothing named is a drug or a disease the corpus has pages about: the question
        describes ("a white pupil in flash photos", "a cough after cleaning the pigeon
        loft"), it does not name."""
        terms = self.vocabulary.terms
        for concept in reading.concepts:
            if concept.kind == "drug":
                return False
            found = [terms[k] for k in (*concept.keys, *concept.broader) if k in terms]
            named = specificity(concept.name) >= NAMED_DISEASE
            if concept.kind == "condition" and named and any(map(_family, found)):
                return False
        return True

    def _foci(self, question: str) -> list[FocusMatch]:
        if self.described is None:
            return []
        if question not in self._described:
            self._described[question] = self.described(question)
        return self._described[question]

    def _described_keys(self, question: str) -> tuple[str, ...]:
        """The vocabulary keys of the page foci matching the question best, best first."""
        terms = (self._focus_term(m.focus) for m in self._foci(question)[:DESCRIBED_FOCI])
        return tuple(term.key for term in terms if term is not None)

    def _focus_term(self, focus: str) -> TermMatch | None:
        """The vocabulary term a page focus names (its longest match)."""
        found = self.vocabulary.find(question_words(focus))
        return max(found, key=lambda m: m.end - m.start) if found else None

    def _matched(self, question: str) -> list[str]:
        """The foci a description clearly matches: the one whose pages score ``INFER_LEAD``
        over the next, then the one whose pages write ``COVER_MARGIN`` more of its words."""
        foci = self._foci(question)
        if not foci:
            return []
        found = []
        # among the foci with a passage in the best hits (a score), not any further down
        covering = sorted((m for m in foci if m.score), key=lambda m: (-m.covered, -m.score))
        runner_up = foci[1].score if len(foci) > 1 else 0.0
        most = covering[0].covered if covering else 0
        # a lead bought by a few rare words ("breast cancer" for an ovarian torsion) is none
        if foci[0].score >= INFER_LEAD * runner_up and foci[0].covered >= most - 1 > 0:
            found.append(foci[0].focus)
        next_covered = covering[1].covered if len(covering) > 1 else 0
        if covering and covering[0].covered >= next_covered + COVER_MARGIN:
            found.append(covering[0].focus)
        return list(dict.fromkeys(found))

    def _inferred(
        self, own: QuestionReading, question: str, history: tuple[str, ...]
    ) -> QuestionReading:
        """The reading about the condition whose pages clearly match the description, marked
        ``inferred``; ``own`` when none does, the vocabulary lacks its name, or it is what
        the question names already ("What causes headaches?")."""
        for focus in self._matched(question):
            match = self._focus_term(focus)
            if match is None or any(match.key in (*c.keys, *c.broader) for c in own.concepts):
                continue
            read = self._about(own, question, history, match.term.name)
            if read is not None:
                return read
        return own

    def _about(
        self, own: QuestionReading, question: str, history: tuple[str, ...], name: str
    ) -> QuestionReading | None:
        """The question read about the condition ``name``, or None when that reading asks
        a name no passage writes or leaves out a disease the question names."""
        read = self._own(f"{question}\n{name}.", history, matched_as=question)
        inferred = next((c for c in (*read.concepts, *read.asked_for) if c.name == name), None)
        # A name no passage writes ("Ixchiq") is what is asked: the answer says it is missing.
        if inferred is None or read.unwritten or not self._discussed_within(own, inferred):
            return None
        # What the description named ("injections", "fasting", "cough") is asked about; the
        # matched condition is what every statement is about.
        others = [c for c in read.concepts if c is not inferred]
        return replace(
            read,
            question=question,
            answering=question,
            concepts=(inferred, *(c for c in others if c.kind == "drug")),
            asked_for=(
                *(c for c in read.asked_for if c is not inferred),
                *(c for c in others if c.kind != "drug"),
            ),
            inferred=name,
            state=replace(read.state, topic=name),
        )

    def _discussed_within(self, own: QuestionReading, inferred: Concept) -> bool:
        """Every disease, procedure or unknown name the question names without a page
        ("ventilator-associated pneumonia", "gastric bypass", "antivenom") is
        discussed in the matched condition's pages: else the match is a neighbour sharing
        words, not the condition described."""
        named = [
            c
            for c in (*own.concepts, *own.asked_for)
            if (c.kind == "condition" and specificity(c.name) >= NAMED_DISEASE)
            # a name the vocabulary lacks ("antivenom"), not a described story
            or (c.kind == "words" and len(c.words) <= NAMED_WORDS)
        ]
        return self.cooccurs is None or all(self.cooccurs(c, inferred) for c in named)

    def read(
        self, question: str, previous: QuestionReading | None, history: tuple[str, ...]
    ) -> QuestionReading:
        own = self._own(question, history)
        if previous is None and self.described is not None and self._names_no_disease(own):
            own = self._inferred(own, question, history)
            if not own.inferred and _symptom_story(own):
                own = _about_the_description(own)
        turn = parse_turn(question)
        follows = previous is not None and (turn.cue or not own.concepts)
        if previous is None or not follows:
            return own
        strong = tuple(a for a in own.aspects if _stated(a))
        return self._follow(own, previous, strong, pronoun=turn.pronoun)

    # -- a question on its own ------------------------------------------------------------

    def _own(
        self, question: str, history: tuple[str, ...], matched_as: str = ""
    ) -> QuestionReading:
        """``question`` read on its own; ``matched_as`` is the text its page foci were
        matched for (the question itself, before a matched condition was named after it)."""
        analysis = analyse(question)
        outside = _PARENTHETICAL.sub(" ", question) if analysis.subgroups else question
        words = question_words(outside)
        population = next((phrase for p, phrase in POPULATIONS if p.search(outside)), "")
        population_words = _population_words(outside)
        matches = [m for m in self._matches(words) if not _all_in(words, m, population_words)]
        matches, concepts = _plainest(matches, [self._concept(words, m) for m in matches])
        slot = _asked_for(words, matches)
        asked_for = [c for (c, _), in_slot in zip(concepts, slot, strict=True) if in_slot]
        if len(asked_for) == len(concepts):
            asked_for = []  # "Which vaccines ...?" alone: the vaccines are the topic
        excluded = [c for m, (c, _) in zip(matches, concepts, strict=True) if _ruled_out(words, m)]
        required = [c for c, _ in concepts if c not in asked_for and c not in excluded]
        covered = {
            i for m, (_, first) in zip(matches, concepts, strict=True) for i in range(first, m.end)
        }
        leftover = _leftover(words, covered, population_words)
        unknown = [
            w
            for w in _unknown_acronyms(words, covered)
            if w.lower() in leftover and not _AGE.fullmatch(w)
        ]
        written = [w for w in unknown if self._written(w)]
        if written and any(_family(m.term) for m in matches if m.term.kind == "condition"):
            # "Multicentric Castleman's: where does HHV-8 fit in?", "mycosis fungoides: PUVA
            # or radiotherapy?": beside a condition the corpus is organised by, a short form
            # the corpus writes is asked about, not required of every statement.
            asked_for += [_word_concept([w]) for w in written]
            leftover = [w for w in leftover if w not in {u.lower() for u in written}]
            unknown = [w for w in unknown if w not in written]
        if unknown and required:
            # "How is EVALI managed?": a name the corpus vocabulary does not know is what the
            # question is about; an answer must name it.
            required += [_word_concept([w]) for w in unknown]
            leftover = [w for w in leftover if w not in {u.lower() for u in unknown}]
        if not required and leftover:
            required = [_word_concept(leftover)]
            leftover = []
        unnamed = {w.lower() for c in required if c.kind == "words" for w in c.name.split()}
        absent = self._absent_names(question, words, covered, unnamed)
        if absent:
            required += [_word_concept([w]) for w in absent if w not in unknown]
            leftover = [w for w in leftover if w not in {a.lower() for a in absent}]
        named = frozenset(words[i].lower() for i in covered) | population_words
        aspects = read_aspects(question, named)
        clause = _clause_of(outside, [(m, c) for m, (c, _) in zip(matches, concepts, strict=True)])
        if clause:
            # "... treatment of Kawasaki disease, and when can the child get the measles
            # vaccine?": the measles vaccine is asked about, in its own clause, not required of
            # every statement about Kawasaki disease.
            asked_for += [c for c in required if c.kind != "words" and c not in clause]
            required = [c for c in required if c.kind == "words" or c in clause]
        if not required:
            # "Which kidney stones can be left to pass?": a condition in the asked-for slot
            # picks which cases of it are meant; it is still what the question is about.
            required = [c for c in asked_for if c.kind == "condition"][:1]
            asked_for = [c for c in asked_for if c not in required]
        asking = interrogative(question)
        known = _KnownTerms(
            pages=frozenset(
                c.name for m, (c, _) in zip(matches, concepts, strict=True) if m.term.page
            ),
            families=frozenset(
                c.name for m, (c, _) in zip(matches, concepts, strict=True) if _family(m.term)
            ),
            asking=NamedText(asking, self.lexicon),
            written=_written_in(asking, words, matches, concepts),
            vignette=asking.strip() != question.strip(),
            described=lambda: self._described_keys(matched_as or question),
        )
        required, asked_for = _named_disease_first(required, asked_for, known)
        conditions = [c for c in required if c.kind != "drug"]
        if conditions and aspects[0].intent not in DRUG_SUBJECT_INTENTS:
            # "Do steroids or antivirals help in Bell's palsy?": the condition is the topic;
            # the drugs are what is asked about it, searched and looked for, not required of
            # every statement.
            asked_for += [c for c in required if c.kind == "drug"]
            required = conditions
        state = ThreadState(
            aspects[0].intent,
            topic=" ".join(c.name for c in required if c.kind != "drug"),
            subgroups=tuple(g.label for g in analysis.subgroups),
            drugs=tuple(c.name for c in (*required, *asked_for) if c.kind == "drug"),
            population=population,
        )
        return QuestionReading(
            question=question,
            answering=question,
            concepts=_topic_first(
                _patients_condition_first(
                    words, matches, concepts, _outcome_first(words, concepts, required)
                )
            ),
            aspects=aspects,
            asked_for=tuple(asked_for),
            population=population,
            subgroups=analysis.subgroups,
            qualifiers=tuple(leftover[:MAX_QUALIFIERS]),
            history=history,
            state=state,
            vocabulary=self.vocabulary,
            unwritten=(*unknown, *absent),
        )

    def _written(self, word: str) -> bool:
        return self.in_corpus is not None and self.in_corpus(word)

    def _absent_names(
        self, question: str, words: list[str], covered: set[int], unnamed: set[str]
    ) -> list[str]:
        """Names the question asks about that nothing in the corpus writes: capitalised,
        hyphenated or numbered words of its interrogative sentence, a hyphenated name before
        "syndrome" or the like anywhere, and the ``unnamed`` words standing for a topic no
        term names ("Candida auris"), that ``in_corpus`` does not find."""
        if self.in_corpus is None:
            return []
        asking = question_words(interrogative(question))
        names = {w for j, w in enumerate(asking) if _name_like(w, first=j == 0)}
        found = []
        for i, word in enumerate(words):
            if i in covered or len(word) < MIN_NAME or _AGE.fullmatch(word):
                continue
            # "alpha-gal syndrome" names a condition wherever it stands
            headed = i + 1 < len(words) and bool(set(key_stems(words[i + 1])) & DISEASE_HEADS)
            named = word in names or (headed and _name_like(word, first=False))
            if not named and word.lower() not in unnamed:
                continue
            stems = key_stems(word)
            if not stems or all(s in GENERIC_STEMS or s in FILLER_STEMS for s in stems):
                continue
            if self.lexicon is not None and self.lexicon.find(word):
                continue
            if not self._written(word):
                found.append(word)
        return list(dict.fromkeys(found))

    def _matches(self, words: list[str]) -> list[TermMatch]:
        """Vocabulary terms, plus drugs the lexicon finds outside them; a term made only of
        words that say what is asked ("inherited", "prognosis") is no topic."""
        found = [m for m in self.vocabulary.find(words) if not _asks_only(words[m.start : m.end])]
        taken = {i for m in found for i in range(m.start, m.end)}
        lexicon = self.lexicon
        if lexicon is not None and lexicon.available:
            for i, j, written in _drug_spans(words, lexicon):
                if not taken & set(range(i, j)):
                    found.append(_drug_match(written, i, j))
                    taken |= set(range(i, j))
        return sorted(found, key=lambda m: m.start)

    def _concept(self, words: list[str], match: TermMatch) -> tuple[Concept, int]:
        """The concept a match names, and the index of its first word (narrowing included)."""
        term = match.term
        keys = self.vocabulary.forms(match.key, term)
        drugs = self.lexicon.find(term.name) if self.lexicon and term.kind == "drug" else None
        kind = "drug" if DRUG_CLASS.fullmatch(term.name.lower()) else term.kind
        concept = Concept(
            term.name,
            kind,
            keys,
            aliases=term.aliases,
            synonyms=self.vocabulary.synonym_names(match.key),
            narrower=self.vocabulary.narrower(keys),
            heads=self.vocabulary.heads(match.key) if term.kind != "drug" else (),
        )
        if drugs:
            concept = replace(concept, drugs=drugs)
        narrowing = _narrowing_words(words, match.start)
        if not narrowing or term.kind == "drug":
            return concept, match.start
        specific = " ".join([*narrowing, term.name])
        modifiers = frozenset(_narrowing_stems(narrowing))
        concept = replace(
            concept,
            name=specific,
            keys=tuple(f"{stem_key(' '.join(narrowing))} {k}" for k in keys),
            broader=keys,
            general=term.name,
            narrowing=modifiers,
        )
        return concept, match.start - len(narrowing)

    # -- a follow-up ------------------------------------------------------------------------

    def _follow(
        self,
        own: QuestionReading,
        previous: QuestionReading,
        strong: tuple[Aspect, ...],
        *,
        pronoun: bool,
    ) -> QuestionReading:
        concepts = list(previous.concepts)
        subgroups = previous.subgroups
        focus = previous.focus if not own.concepts else ()
        new_drugs = [c for c in own.concepts if c.kind == "drug"]
        new_others = [c for c in own.concepts if c.kind != "drug"]
        aspects = strong or previous.aspects
        if pronoun and new_others and not strong:
            aspects = own.aspects  # "Is it related to X?" asks its own (yes/no) question
        intent = aspects[0].intent
        if new_others:
            topic = previous.topic
            # "Is it linked to X?" asks about X within the thread's topic; "what about X?"
            # does when the corpus discusses X within it (fatigue in MS), else X is new.
            narrows = topic is not None and (
                pronoun or all(self._together(c, topic) for c in new_others)
            )
            if narrows:
                concepts = [*[c for c in concepts if c not in new_others], *new_others]
                focus = tuple(c.name for c in new_others)
            else:
                concepts, subgroups = list(new_others), own.subgroups
        if new_drugs:
            old_drugs = [c for c in concepts if c.kind == "drug"]
            rest = [c for c in concepts if c.kind != "drug"]
            keep = intent == "interactions" and len(new_drugs) == 1 and not new_others
            drugs = [*old_drugs[:1], *new_drugs] if keep else new_drugs
            concepts = [*rest, *[d for d in drugs if d not in rest]]
        concepts = list(_topic_first(concepts))
        population = own.population or previous.population
        reading = replace(
            own,
            concepts=tuple(concepts),
            aspects=aspects,
            asked_for=own.asked_for or previous.asked_for,
            population=population,
            subgroups=subgroups,
            qualifiers=own.qualifiers or (previous.qualifiers if not own.concepts else ()),
            follow_up=True,
            focus=focus,
        )
        state = ThreadState(
            intent,
            topic=_thread_topic(reading),
            subgroups=tuple(g.label for g in subgroups),
            drugs=tuple(c.name for c in reading.drugs),
            population=population,
        )
        return replace(reading, answering=render(state), state=state)

    def _together(self, concept: Concept, topic: Concept) -> bool:
        """Whether the corpus discusses ``concept`` within ``topic`` (a narrowing follow-up)."""
        return self.cooccurs(concept, topic) if self.cooccurs else False


def _asks_only(words: list[str]) -> bool:
    """Words that only say what is asked ("inherited", "prognosis"), generic words beside
    them ("inheritance patterns") included."""
    asking = [_asks_word(w) for w in words]
    generic_words = [generic(key_stems(w)) for w in words]
    return any(asking) and all(a or g for a, g in zip(asking, generic_words, strict=True))


def _asks_word(word: str) -> bool:
    return any(pattern.search(word) for intent, pattern in INTENT_RULES if intent != "evidence")


def _stated(aspect: Aspect) -> bool:
    return aspect.intent not in {"evidence", "definition"}


def _thread_topic(reading: QuestionReading) -> str:
    """The thread's subject for the rewrite: the non-drug concepts, narrowest first."""
    others = [c for c in reading.concepts if c.kind != "drug"]
    if not others:
        return ""
    topic, *narrower = others
    return " in ".join([*(c.name for c in narrower), topic.name]) if narrower else topic.name


def _patients_condition_first(
    words: list[str],
    matches: list[TermMatch],
    concepts: list[tuple[Concept, int]],
    required: list[Concept],
) -> list[Concept]:
    """``required`` with the patient's condition first: in "stroke in atrial fibrillation",
    "pain ... managed in Fabry disease" or "pain after shingles" the condition after the
    preposition is the patient's, and the one before it is what is asked about it."""
    ends = [match.end for match in matches]
    governed = {
        concept.name
        for concept, first in concepts
        if first > 0
        and words[first - 1].lower() in _PATIENT_PREPOSITIONS
        and any(0 <= first - end <= _PATIENT_GAP for end in ends)
    }
    if not governed or len(required) < 2:
        return required
    first = [c for c in required if c.name in governed and c.kind == "condition"]
    return first + [c for c in required if c not in first]


def _outcome_first(
    words: list[str], concepts: list[tuple[Concept, int]], required: list[Concept]
) -> list[Concept]:
    """``required`` with the conditions an effect verb acts on first: "Does ultrasound
    surveillance improve survival from hepatocellular carcinoma?", "Does exercise in
    pregnancy reduce postnatal depression?" ask about the carcinoma and the depression;
    what comes before the verb (a test, a procedure, an exposure) is asked about them."""
    verb = next((i for i, w in enumerate(words) if w.lower() in _EFFECT_VERBS), None)
    if verb is None:
        return required
    starts = {concept.name: first for concept, first in concepts}
    conditions = [c for c in required if c.kind == "condition"]
    after = [c for c in conditions if starts.get(c.name, -1) > verb]
    if not after or len(after) == len(conditions):
        return required
    return after + [c for c in required if c not in after]


def _topic_first(concepts: list[Concept]) -> tuple[Concept, ...]:
    """Conditions before drugs (a drug question about a condition is about the condition),
    unless the question names only drugs; a named disease before a symptom."""
    conditions = sorted((c for c in concepts if c.kind != "drug"), key=_symptom_or_less)
    ordered = conditions + [c for c in concepts if c.kind == "drug"]
    return tuple(dict.fromkeys(ordered))


def _symptom_or_less(concept: Concept) -> bool:
    return concept.kind == "condition" and specificity(concept.name) <= SYMPTOM


def _named_disease_first(
    required: list[Concept], asked_for: list[Concept], known: _KnownTerms
) -> tuple[list[Concept], list[Concept]]:
    """A vignette names its disease among findings, organs, people, places and tests ("An
    X-ray showed Paget's disease in my pelvis", "a patient without a spleen moving to New
    England ... babesiosis"): the named disease is the topic wherever it stands, the one the
    asking sentence names first ("... sudden noises set off spasms. How do we confirm
    stiff-person syndrome?"), then one the corpus has pages about. Beside it, an organ,
    person or test is what the question mentions, not what every statement must name; so is
    any condition only the story before the asking sentence tells."""

    conditions = [c for c in (*required, *asked_for) if c.kind == "condition"]
    if not conditions:
        return required, asked_for
    described = known.described() if len(conditions) > 1 else ()

    def rank(c: Concept) -> tuple[int, bool, int, bool, bool]:
        matched = [i for i, key in enumerate(described) if key in (*c.keys, *c.broader)]
        return (
            specificity(c.name),
            known.asked(c),
            -min(matched, default=len(described)),
            c.name in known.families,
            c.name in known.pages,
        )

    best = max(conditions, key=rank)
    if specificity(best.name) < NAMED_DISEASE:
        return required, asked_for
    if best in asked_for:
        asked_for = [c for c in asked_for if c is not best]
    required = [best, *(c for c in required if c is not best)]
    story = known.asked(best) and known.vignette
    circumstances = [
        c
        for c in required
        if c.kind == "condition"
        and c is not best
        and rank(c) < rank(best)
        and (
            specificity(c.name) < NAMED_DISEASE
            or (story and not known.asked(c))
            # "sheep", "seasons" told beside "Q fever": what no page is about is the story
            or (best.name in known.pages and c.name not in known.pages and not known.asked(c))
        )
    ]
    return [c for c in required if c not in circumstances], [*asked_for, *circumstances]


@dataclass(frozen=True)
class _KnownTerms:
    """What the corpus and the question's sentences say of the terms a question names."""

    pages: frozenset[str]  # names of terms a page is written about
    families: frozenset[str]  # names of terms several pages are written about
    asking: NamedText  # the sentence(s) that ask
    written: frozenset[str]  # concepts whose words, as the question writes them, ask
    vignette: bool  # a story comes before the asking sentence
    # Vocabulary keys of the page foci the whole question matches best, best first
    described: Callable[[], tuple[str, ...]] = tuple

    def asked(self, concept: Concept) -> bool:
        return concept.named_in(self.asking) or concept.name in self.written


def _written_in(
    asking: str, words: list[str], matches: list[TermMatch], concepts: list[tuple[Concept, int]]
) -> frozenset[str]:
    """Names of the concepts whose words, as written, are all in the asking sentence(s): a
    short name ("carpal tunnel") is asked though the term's own name is not written."""
    asked = {w.lower() for w in question_words(asking)}
    return frozenset(
        c.name
        for m, (c, _) in zip(matches, concepts, strict=True)
        if all(w.lower() in asked for w in words[m.start : m.end])
    )


def _narrowing_words(words: list[str], start: int) -> list[str]:
    """Clinical modifiers ("progressive", "acute") and "type 2"-like labels right before a
    term, as written (lower-cased)."""
    found: list[str] = []
    i = start - 1
    while i >= 0:
        word = words[i].lower()
        # "newly diagnosed diabetes" narrows diabetes; "thresholds diagnose diabetes" asks.
        if word in MODIFIERS or (key_stem(word) in MODIFIER_STEMS and not _asks_word(word)):
            found.insert(0, word)
        elif NUMBERED.match(word) and i > 0 and words[i - 1].lower() in NUMBERED_HEADS:
            found[:0] = [words[i - 1].lower(), word]
            i -= 1
        else:
            break
        i -= 1
    return found


def _narrowing_stems(narrowing: list[str]) -> list[str]:
    """The narrowing words as :func:`medcite.question.topic._modifiers_before` finds them:
    modifier stems, "type 2" kept together."""
    found = []
    stems = [key_stem(w) for w in narrowing]
    for i, s in enumerate(stems):
        if s in NUMBERED_HEADS:
            continue
        numbered = i and stems[i - 1] in NUMBERED_HEADS
        found.append(f"{stems[i - 1]} {s}" if numbered else modifier(s))
    return found


def _plainest(
    matches: list[TermMatch], concepts: list[tuple[Concept, int]]
) -> tuple[list[TermMatch], list[tuple[Concept, int]]]:
    """One concept per term: "Can heart failure be cured, and which drugs ... for chronic
    heart failure?" is about heart failure (the plain mention wins over a narrowed one)."""
    kept: dict[str, int] = {}
    for i, (concept, _) in enumerate(concepts):
        base = (concept.broader or concept.keys)[0]
        if base not in kept or (concepts[kept[base]][0].broader and not concept.broader):
            kept[base] = i
    chosen = sorted(kept.values())
    return [matches[i] for i in chosen], [concepts[i] for i in chosen]


def _clause_of(text: str, found: list[tuple[TermMatch, Concept]]) -> list[Concept]:
    """The concepts of the question's main clause: the first that asks something and names a
    concept (else the first naming one). A clause ends at a full stop or at "and"/"or"/a
    comma that opens a new question ("..., and when can ...", "... and which relieve ..."),
    not at "bupropion and escitalopram". Empty with fewer than two concepts."""
    if len(found) < 2:
        return []
    starts = [m.start() for m in _WORD.finditer(text)]
    breaks = [0, *(m.start() for m in _CLAUSE_BREAK.finditer(text)), len(text)]

    def clause(match: TermMatch) -> int:
        at = starts[match.start] if match.start < len(starts) else len(text)
        return sum(1 for b in breaks[1:-1] if b < at)

    def frame(n: int) -> bool:
        return bool(_FRAME.match(text[breaks[n] : breaks[n + 1]])) and text[breaks[n + 1]] == ","

    numbers = sorted({clause(m) for m, _ in found})
    asking = [n for n in numbers if _asks(text[breaks[n] : breaks[n + 1]])]
    main = (asking or [n for n in numbers if not frame(n)] or numbers)[0]
    # "For secondary progressive MS, ... what helps spasticity?": a leading "For/In ...,"
    # frames every clause after it; its concepts belong to the main one.
    framing = set()
    for n in range(main):
        if not frame(n):
            break
        framing.add(n)
    return [c for m, c in found if clause(m) == main or clause(m) in framing]


def _asks(clause: str) -> bool:
    return any(p.search(clause) for intent, p in INTENT_RULES if intent not in _WEAK)


def _family(term: Term) -> bool:
    """Several pages are written about the term: a condition the corpus is organised by."""
    return term.page and term.docs >= PAGE_FAMILY


def _name_like(word: str, *, first: bool) -> bool:
    """Written like a name: capitalised mid-sentence, hyphenated between letters, with
    digits among letters, or capitalised with letters beyond ASCII ("Arexvy", "alpha-gal",
    "SOD1", "Rezūm")."""
    capital = word[:1].isupper() and not first
    hyphenated = bool(re.search(r"[a-z]-[a-z]", word, re.IGNORECASE))
    numbered = any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
    branded = word[:1].isupper() and not word.isascii()  # "Rezūm"
    return capital or hyphenated or numbered or branded


def interrogative(question: str) -> str:
    """The sentences that ask (end with "?"), or the last one when none does."""
    # split as passages are ("uncomplicated E. coli bladder infection?" is one sentence)
    sentences = [question[a:b] for a, b in split_sentences(question) if question[a:b].strip()]
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return " ".join(asking or sentences[-1:])


def _symptom_story(reading: QuestionReading) -> bool:
    """A story of symptoms whose asking sentence names none of them ("my lips are tingling
    and I'm vomiting. Is there a test for this?"): it asks about the unnamed condition."""
    topic = reading.topic
    if topic is None or topic.kind != "condition" or specificity(topic.name) > SYMPTOM:
        return False
    asking = interrogative(reading.question)
    return asking.strip() != reading.question.strip() and not topic.named_in(
        NamedText(asking, None)
    )


def _about_the_description(reading: QuestionReading) -> QuestionReading:
    """The reading about what the story describes, in its own words: passages must write
    them; the symptoms it names are asked about, not the topic ("vomiting" in general)."""
    words = [*reading.qualifiers, *(c.name for c in reading.concepts if c.kind == "condition")]
    described = _word_concept([w for name in words for w in name.split()])
    conditions = tuple(c for c in reading.concepts if c.kind == "condition")
    return replace(
        reading,
        concepts=(described, *(c for c in reading.concepts if c.kind != "condition")),
        asked_for=(*reading.asked_for, *conditions),
    )


def _word_concept(words: list[str]) -> Concept:
    """A concept made of the question's own words (no vocabulary term names it)."""
    stems = tuple(dict.fromkeys(key_stem(w.lower()) for w in words))
    name = " ".join(dict.fromkeys(w if w.isupper() else w.lower() for w in words))
    return Concept(name, "words", (" ".join(stems),))


def _unknown_acronyms(words: list[str], covered: set[int]) -> list[str]:
    """Upper-case names outside every vocabulary term: "EVALI", "MIS-C"."""
    found = []
    for i, word in enumerate(words):
        letters = [c for c in word if c.isalpha()]
        if i in covered or len(letters) < 3 or sum(c.isupper() for c in letters) < len(letters):
            continue
        if word.lower() not in GENERIC_STEMS:
            found.append(word)
    return found


def _ruled_out(words: list[str], match: TermMatch) -> bool:
    """A drug the patient cannot take ("cannot take NSAIDs", "allergic to penicillin"): the
    answer need not name it."""
    before = " ".join(words[max(0, match.start - 4) : match.start])
    return match.term.kind == "drug" and _RULED_OUT.search(before) is not None


def _asked_for(words: list[str], matches: list[TermMatch]) -> list[bool]:
    """Per match, whether it fills the asked-for slot: "Which anticoagulants ...", "What
    kinds of ...", and the terms listed with it ("What A1C and fasting plasma glucose
    thresholds diagnose diabetes?": A1C, fasting and plasma)."""
    found: list[bool] = []
    for n, match in enumerate(matches):
        i = match.start - 1
        while i >= 0 and words[i].lower() in _KIND_OF | {"of"}:
            i -= 1
        listed = (
            n > 0
            and found[-1]
            and _LISTED.issuperset(w.lower() for w in words[matches[n - 1].end : match.start])
        )
        found.append(listed or (i >= 0 and words[i].lower() in _ASKED_FOR))
    return found


def _population_words(text: str) -> set[str]:
    return {w.lower() for p, _ in POPULATIONS for m in p.finditer(text) for w in m[0].split()}


def _all_in(words: list[str], match: TermMatch, population_words: set[str]) -> bool:
    return all(words[i].lower() in population_words for i in range(match.start, match.end))


def _leftover(words: list[str], covered: set[int], population_words: set[str]) -> list[str]:
    """The question's other specific words: not in a concept, not generic, not population."""
    kept = []
    for i, word in enumerate(words):
        lower = word.lower()
        if i in covered or lower in population_words or len(lower) < 2 or lower.isdigit():
            continue
        stems = key_stems(lower)
        if stems and stems[0] not in GENERIC_STEMS and stems[0] not in FILLER_STEMS:
            kept.append(lower)
    return list(dict.fromkeys(kept))


def _drug_spans(words: list[str], lexicon: DrugLexicon) -> list[tuple[int, int, str]]:
    """(first word, one past the last, as written) of each drug name among ``words``."""
    spans = []
    i = 0
    while i < len(words):
        for size in range(min(3, len(words) - i), 0, -1):
            written = " ".join(words[i : i + size])
            if lexicon.variants.get(written.lower()):
                spans.append((i, i + size, written))
                i += size
                break
        else:
            i += 1
    return spans


def _drug_match(written: str, start: int, end: int) -> TermMatch:
    from medcite.question.vocabulary import Term

    key = stem_key(written)
    return TermMatch(key, Term(written.lower(), "drug", keys=(key,)), start, end)


def names_together(hit: Hit, concept: Concept, topic: Concept, lexicon: DrugLexicon | None) -> bool:
    """Whether ``hit`` discusses ``concept`` within ``topic``: its document is about the
    topic (or its passage names it) and its passage names the concept."""
    passage = NamedText(hit.passage.text, lexicon)
    subject = NamedText.of_subjects(subjects(hit.document), lexicon)
    about_topic = topic.named_in(subject) or topic.named_in(passage)
    return about_topic and concept.named_in(passage) and not concept.named_in(subject)

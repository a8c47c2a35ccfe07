"""The sentences of the retrieved passages that could become statements, each judged once.

For every source the topic lock lets through (:mod:`medcite.compose.lock`), each sentence is
kept only if it

- is a full statement (not a heading, link, list fragment or question);
- is no abstract scaffolding and no animal or laboratory result the question did not ask for
  (:mod:`medcite.compose.content`); a run-in RESULTS/CONCLUSIONS label is cut off, which keeps
  the statement an exact slice of its passage;
- stands alone: a sentence leaning on the one before it is joined with it (both verbatim, one
  contiguous slice) or dropped;
- keeps the topic lock: every concept of the reading is named by the document's subject or by
  the statement;
- answers an aspect asked: its words fit the aspect's intent, or its page is about that aspect
  (a "What are the treatments for gout?" page answers a treatment question throughout).

Its score says how directly it answers: the aspect's cue and the question's own words
("relieve", "size"), concrete specifics (drug names, doses, procedures, thresholds), the
topic named in the sentence itself, and named specifically rather than only by the broader
concept, the retrieval rank, the evidence level and the audience. Once a passage is judged to
answer an aspect, its other sentences with specifics are lifted too, so the drug list of the
page that answers is used, not only its best-matching sentence.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from medcite.compose import content
from medcite.compose.audience import sentence_bonus, source_bonus
from medcite.compose.lock import PASSAGE_ONLY, Source, TopicLock, page_intents
from medcite.models import EvidenceLevel, Hit
from medcite.question.followup import POPULATIONS
from medcite.question.intent import REQUIRED, Subgroup
from medcite.question.reading import QuestionReading
from medcite.question.topic import SPECIFIC, NamedText, has_focus
from medcite.question.words import key_stems
from medcite.text.sentences import split_sentences

MIN_WORDS, MAX_WORDS = 6, 70
MAX_JOINED_WORDS = 90
MAX_ANTECEDENTS = 1  # a statement is at most a sentence pair: what verification aligns
ANSWERING_PASSAGES = 3  # per aspect, the passages whose specifics are all read
_BOILERPLATE = re.compile(
    r"^(?:these resources|learn more|for more information|see also|click|visit|go to|"
    r"to read or download|the human phenotype ontology|you can use|source:|nih:|"
    r"if the information is available|see drugs approved|the national \w+ (?:\w+ )?foundation)"
    r"|\b(?:provide|find|get) (?:you )?(?:with )?(?:more )?information\b"
    r"|\bcan be (?:accessed|found) (?:through|at|on)\b"
    r"|\binformation\b.{0,80}\bis available (?:at|from|on|through)\b|\bweb ?site\b",
    re.IGNORECASE,
)
_ALLOWED_LABELS = re.compile(
    r"^(?:RESULTS?|FINDINGS|CONCLUSIONS?(?: AND RELEVANCE)?|INTERPRETATION)$"
)
SUMMARY_LEVELS = {
    EvidenceLevel.GUIDELINE,
    EvidenceLevel.SYSTEMATIC_REVIEW,
    EvidenceLevel.CONSUMER,
    EvidenceLevel.REVIEW,
}
# Intents whose answers are lists of things to do: their specifics count most.
ACTION_INTENTS = frozenset({"treatment", "dosing", "prevention", "interactions", "monitoring"})


@dataclass
class Candidate:
    """A verbatim slice of a passage that could become a statement."""

    text: str
    hit: Hit
    start: int  # offsets into hit.passage.text
    end: int
    stems: frozenset[str]
    score: float
    aspects: frozenset[str]  # the intents it answers
    page: frozenset[str]  # the intents its page or heading is about
    levels: tuple[int, ...]  # per concept: how specifically it (or its document) names it
    specifics: int
    names_topic: bool  # the statement itself names the topic
    joined: bool  # carries its antecedent sentence
    asked: int  # how many of what was asked for it names ("steroids", "antivirals")
    drugs: frozenset[str]
    dosed: bool = False  # gives a dose, frequency or route of a named drug
    subgroup: str | None = None
    population: str | None = None  # a population its passage is limited to ("in children")
    other_form: str | None = None  # another form of the topic it is about: "relapsing"
    kind: str | None = None  # its section, chosen by the composer
    also: list[Candidate] = field(default_factory=list)  # merged near-duplicates

    @property
    def specific(self) -> bool:
        return all(level == SPECIFIC for level in self.levels)


@dataclass
class CandidateReader:
    """Reads the sources of one answer (see the module docstring)."""

    reading: QuestionReading
    lock: TopicLock
    audience: str
    label_bonus: float = 0.0

    def read(self, sources: list[Source]) -> list[Candidate]:
        found = [c for source in sources for c in self._sentences(source)]
        _lift_answering_passages(found)
        return sorted(found, key=lambda c: (-c.score, c.hit.rank, c.start))

    def _sentences(self, source: Source) -> list[Candidate]:
        hit = source.hit
        text = hit.passage.text
        spans = split_sentences(text)
        page = page_intents(hit, self.reading.intents)
        section_label = hit.passage.section
        if section_label and section_label.isupper() and content.scaffold_label(section_label):
            return []  # an abstract's OBJECTIVE or METHODS section
        population = self._population(hit)
        found = []
        for i in range(len(spans)):
            span = self._standalone(text, spans, i)
            if span is None:
                continue
            start, end, joined = span
            candidate = self._candidate(source, start, end, joined, page, population)
            if candidate is not None:
                found.append(candidate)
        return found

    def _standalone(
        self, text: str, spans: list[tuple[int, int]], i: int
    ) -> tuple[int, int, bool] | None:
        """The statement's span (its antecedent sentences included when it leans on them),
        or None when it cannot be a statement."""
        start, end = spans[i]
        sentence = text[start:end]
        if not is_statement(sentence):
            return None
        label = content.label_prefix(sentence)
        if label:
            if not _ALLOWED_LABELS.match(label):
                return None  # "METHODS We randomly ...", "OBJECTIVE To test ..."
            start += content.LABEL_PREFIX.match(sentence).end()  # type: ignore[union-attr]
            sentence = text[start:end]
        if content.scaffolding(sentence) or self.lock.preclinical(sentence):
            return None
        if content.case_narrative(sentence) and "evidence" not in self.reading.intents:
            return None  # one patient's story is no answer to a clinical question
        vocabulary = self.reading.vocabulary
        if vocabulary is not None and vocabulary.is_boilerplate(sentence):
            return None  # a template's sentence, on every page of its kind
        if not content.dangling(sentence):
            return start, end, False
        for j in range(i - 1, max(-1, i - 1 - MAX_ANTECEDENTS), -1):
            before = text[spans[j][0] : spans[j][1]]
            if not is_statement(before) or content.label_prefix(before):
                return None  # a heading or an abstract label: nothing to lean on
            if content.scaffolding(before) or self.lock.preclinical(before):
                return None
            joined = text[spans[j][0] : end]
            if len(joined.split()) > MAX_JOINED_WORDS:
                return None
            if not content.dangling(before):
                return spans[j][0], end, True
        return None

    def _candidate(
        self,
        source: Source,
        start: int,
        end: int,
        joined: bool,
        page: set[str],
        population: str | None,
    ) -> Candidate | None:
        reading = self.reading
        hit = source.hit
        text = hit.passage.text[start:end]
        named = NamedText(text, self.lock.lexicon)
        levels = source.coverage(named, reading)
        if levels is None:
            return None  # not about the question's topic
        aspects = frozenset(
            a.intent for a in reading.aspects if a.intent in page or _answers(a.intent, named)
        )
        if not aspects:
            return None
        specifics = content.specifics(text, len(named.drugs))
        if (
            aspects <= ACTION_INTENTS
            and not aspects & page
            and not specifics
            and not content.investigational(text)
            and not (has_focus(hit.document) and source.about_all)
        ):
            return None  # a treatment word in passing ("response to treatment"), not an answer
        asked_words = reading.qualifier_stems | {s for a in reading.aspects for s in a.stems}
        on_page = source.about_all and bool(aspects & page)
        names_one = any(c.named_in(named) for c in reading.concepts)
        if not (on_page or specifics or names_one or asked_words & named.stems):
            return None  # a passing mention elsewhere that names nothing asked
        candidate = sentence_candidate(source, start, end, named, levels, aspects, reading)
        candidate.page = frozenset(page)
        candidate.joined = joined
        candidate.dosed = self._dosed(named)
        candidate.subgroup = _subgroup(reading.subgroups, named)
        candidate.population = population
        candidate.other_form = _other_form(reading, named)
        candidate.score = self._score(candidate, source, named, page)
        return candidate

    def _score(self, c: Candidate, source: Source, named: NamedText, page: set[str]) -> float:
        reading = self.reading
        score = 0.6 * source.retrieval
        score += 0.5 if any(_cue(a, c.text) for a in c.aspects) else 0.0
        score += 0.3 if c.aspects & page else 0.0
        if c.aspects <= ACTION_INTENTS and not c.aspects & page:
            score -= 0.3  # a study of something else that mentions treatment
        own = {s for a in reading.aspects for s in a.stems}
        score += 0.2 * min(2, len(own & named.stems))
        # A research question's own words ("intravenous thrombolysis") say which finding.
        research = "evidence" in c.aspects
        qualifiers = len(reading.qualifier_stems & named.stems)
        score += 0.25 * min(3, qualifiers) if research else 0.15 * min(2, qualifiers)
        score += 0.25 * min(2, c.asked)
        weight = 0.15 if c.aspects & ACTION_INTENTS else 0.05
        score += weight * min(3, c.specifics)
        score += 0.2 if c.names_topic else 0.0
        score += 0.3 if c.specific else 0.0
        score += 0.2 if c.subgroup else 0.0
        if reading.population and reading.population == c.population:
            score += 0.2
        score += 0.1 if c.hit.document.evidence_level in SUMMARY_LEVELS else 0.0
        if c.hit.document.evidence_level is EvidenceLevel.LABEL and c.aspects & {
            "dosing",
            "interactions",
            "adverse_effects",
        }:
            score += self.label_bonus
        score -= 0.15 if c.joined else 0.0
        score -= 0.3 if c.other_form else 0.0
        score -= 0.3 if source.subtype else 0.0
        score -= 0.3 * c.levels.count(PASSAGE_ONLY)
        score -= 0.01 * max(0, len(c.text.split()) - 40)
        return (
            score
            + source_bonus(self.audience, c.hit.document)
            + sentence_bonus(self.audience, c.text)
        )

    def _dosed(self, named: NamedText) -> bool:
        """A dose, route or frequency of a drug the sentence names ("1.2 mg of colchicine",
        "intravenous methylprednisolone", "oral steroids"), not of sodium or a virus count."""
        text = named.text
        if content.doses_or_routes(text):
            return bool(named.drugs) or content.names_drug_class(text)
        lexicon = self.lock.lexicon
        return any(
            content.names_drug_class(words) or (lexicon is not None and lexicon.find(words))
            for words in content.routed(text)
        )

    def _population(self, hit: Hit) -> str | None:
        """A population the passage is limited to ("Pediatric Patients" in a label heading),
        unless it is the one asked about."""
        focus = hit.document.metadata.get("focus")
        where = " ".join(s for s in (hit.passage.section, focus) if isinstance(s, str))
        found = next((phrase for pattern, phrase in POPULATIONS if pattern.search(where)), None)
        return None if found == self.reading.population else found


def sentence_candidate(
    source: Source,
    start: int,
    end: int,
    named: NamedText,
    levels: tuple[int, ...],
    aspects: frozenset[str],
    reading: QuestionReading,
) -> Candidate:
    """The candidate for the slice ``start:end`` of the source's passage (``named`` is its
    text read with the lexicon), unscored, on no page, standing alone."""
    return Candidate(
        text=named.text,
        hit=source.hit,
        start=start,
        end=end,
        stems=named.stems,
        score=0.0,
        aspects=aspects,
        page=frozenset(),
        levels=levels,
        specifics=content.specifics(named.text, len(named.drugs)),
        names_topic=reading.concepts[0].named_in(named),
        joined=False,
        asked=sum(1 for c in reading.asked_for if c.named_in(named)),
        drugs=named.drugs,
    )


def _answers(intent: str, named: NamedText) -> bool:
    """Whether a sentence's words speak to an intent: its cue, or for treatment and dosing a
    dose or route of a named drug ("The usual dose of colchicine is 1.2 mg")."""
    cue = REQUIRED[intent]
    if cue is None or cue.search(named.text):
        return True
    dosed = content.doses_or_routes(named.text) or content.routed(named.text)
    return intent in ("treatment", "dosing") and bool(dosed) and bool(named.drugs)


def _cue(intent: str, text: str) -> bool:
    cue = REQUIRED[intent]
    return cue is not None and cue.search(text) is not None


def _other_form(reading: QuestionReading, named: NamedText) -> str | None:
    """The modifier words of another form of the topic the statement is about ("relapsing"),
    as written in it."""
    forms = reading.concepts[0].other_forms(named)
    if not forms:
        return None
    words = [
        w
        for w in re.findall(r"[A-Za-z-]+", named.text)
        if key_stems(w)[:1] and any(s in forms for s in key_stems(w))
    ]
    return " ".join(dict.fromkeys(w.lower() for w in words)) or None


def _subgroup(subgroups: tuple[Subgroup, ...], named: NamedText) -> str | None:
    for group in subgroups:
        stems = key_stems(group.label)
        if stems and all(s in named.stems for s in stems):
            return group.label
    return None


def _lift_answering_passages(candidates: list[Candidate]) -> None:
    """For each aspect, the passages that answer it best have every sentence with specifics
    lifted, ranked by how directly it answers."""
    best: dict[str, dict[str, float]] = defaultdict(dict)
    for c in candidates:
        for intent in c.aspects:
            pid = c.hit.passage.passage_id
            best[intent][pid] = max(best[intent].get(pid, 0.0), c.score)
    for intent, passages in best.items():
        top = sorted(passages, key=lambda pid: -passages[pid])[:ANSWERING_PASSAGES]
        chosen = set(top)
        for c in candidates:
            if intent in c.aspects and c.hit.passage.passage_id in chosen and c.specifics:
                c.score += 0.3


def is_statement(text: str) -> bool:
    """A full sentence that states something: not a heading, list fragment, link or question."""
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if text[0].islower() or text[0] == "(":
        return False  # a list item's fragment: "is taken by mouth or injected.", "(High ..."
    if not text.rstrip("\"')]”’").endswith((".", "!")) or "http" in text or "www." in text:
        return False
    return not _BOILERPLATE.search(text)

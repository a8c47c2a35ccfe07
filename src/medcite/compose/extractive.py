"""The extractive composer: an answer built only from verbatim source sentences.

Offline and deterministic. It reads the question once (:mod:`medcite.question.reading`, or
the reading the engine passes in), keeps the hits the topic lock lets through
(:mod:`medcite.compose.lock`), reads their sentences into candidates
(:mod:`medcite.compose.candidates`: self-contained, on topic, on an aspect asked, scored by
how directly they answer), puts each into the section its content fits, merges
near-duplicates (citing every source that said it), picks the bottom line from the main
aspect's own section, and numbers references by first use. Every statement is an exact slice
of its cited passage, so its evidence span is the statement itself.

Sections by content: a dosing section holds doses, routes or frequencies of named drugs (a
passage limited to a population, such as a label's paediatric section, gets its own labelled
section); "emerging" holds investigational statements only, never approved ones; "the
evidence gap" holds statements of what is not known, never one that names a treatment, and
never the bottom line; empty sections are left out.

What the corpus lacks is said first: an aspect asked with no statement, a narrower topic
("progressive multiple sclerosis") with only general statements, a subgroup or population
nothing addresses; then the age of the evidence. When nothing in the corpus is about the
topic (or, for an interaction, about both drugs together), it abstains and names what is
missing instead of filling the page with unrelated text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from medcite.compose import content
from medcite.compose.audience import tailor_sections
from medcite.compose.candidates import ACTION_INTENTS, SUMMARY_LEVELS, Candidate, CandidateReader
from medcite.compose.lock import (
    INSUFFICIENT,
    Source,
    TopicLock,
    absent_drugs,
    insufficient_answer,
    missing_topic,
    named_nowhere,
)
from medcite.compose.references import ReferenceNumbering
from medcite.compose.study import study_answer
from medcite.config import ComposeSettings
from medcite.models import Answer, AnswerSection, Evidence, Hit, Reference, Statement
from medcite.question.intent import CUE, INTENT_RULES, REQUIRED, TEMPLATES, SectionSpec
from medcite.question.reading import QuestionReading, read_question
from medcite.question.topic import SPECIFIC, NamedText
from medcite.question.vocabulary import question_words
from medcite.text.drugs import DrugLexicon
from medcite.text.terms import jaccard

__all__ = ["INSUFFICIENT", "ExtractiveComposer", "evidence_currency", "retraction_warnings"]

DUPLICATE_JACCARD = 0.7
BOTTOM_LINE_POOL = 8  # the best candidates whose other conditions are looked up
ELSEWHERE_PENALTY = 0.4
# How sources say a therapy comes first or is an add-on: a bottom line names the first.
FIRST_CHOICE = re.compile(
    r"\b(?:main|mainstay|first[- ]line|first choice|drug of choice|standard|most commonly used|"
    r"commonly used|generally effective|usually (?:treated|given|prescribed))\b",
    re.IGNORECASE,
)
LATER_CHOICE = re.compile(
    r"\b(?:also|second(?:[- ]line)?|add-on|alternatives?|in combination with other|"
    r"other (?:drugs|medicines|medications))\b|\b(?:if|when)\b[^.]{0,60}\bfail",
    re.IGNORECASE,
)
PRIMACY = 0.4
# An abstract's run-in "Conclusions:" label, beside the wording of content.CONCLUDES.
CONCLUSIONS_LABEL = re.compile(r"\bconclusions?:\b", re.IGNORECASE)
MAX_STATEMENTS = 24
# Sections a statement that uses an aspect's own words ("relieve", "size") is not sent to:
# it answers that aspect directly, so it goes to the aspect's own section.
SIDE_SECTIONS = frozenset({"symptomatic", "pitfalls", "emerging", "evidence_gap", "safety"})
ASPECT_NAMES = {
    "treatment": "treatment",
    "dosing": "dosing",
    "prevention": "prevention",
    "adverse_effects": "side effects",
    "interactions": "interactions",
    "diagnosis": "diagnosis",
    "prognosis": "outlook",
    "cause": "causes",
    "symptoms": "signs and symptoms",
    "monitoring": "monitoring",
    "evidence": "study findings",
    "definition": "overview",
}
# Sections a bottom line never comes from while another section has a statement.
NOT_BOTTOM_LINE = frozenset({"evidence_gap", "emerging", "pitfalls", "null_findings"})
NO_TOPIC = "a condition, drug or procedure to answer about"
INFERRED = (
    "The question names no condition. This answer is about {topic}, the condition whose pages "
    "in this corpus best match its description: a match of words, not a diagnosis. Confirm "
    "the diagnosis before relying on it."
)
# Intents by how specific a cue is (INTENT_RULES order): prevention before treatment.
_SPECIFICITY = {intent: i for i, (intent, _) in enumerate(INTENT_RULES)}
Sections = list[tuple[str, str, list[Candidate]]]


class ExtractiveComposer:
    """Composes answers from verbatim sentences of the hits it is given."""

    name = "extractive"

    def __init__(self, settings: ComposeSettings | None = None) -> None:
        self.settings = settings or ComposeSettings()

    def events(
        self,
        question: str,
        hits: list[Hit],
        *,
        audience: str = "clinician",
        reading: QuestionReading | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The answer as the one event (nothing to stream: it is written at once)."""
        answer = self.compose(question, hits, audience=audience, reading=reading)
        yield {"type": "answer", "answer": answer}

    def compose(
        self,
        question: str,
        hits: list[Hit],
        *,
        audience: str = "clinician",
        reading: QuestionReading | None = None,
    ) -> Answer:
        """An answer to ``question`` from ``hits``; pass ``reading`` if the caller has it."""
        lexicon = DrugLexicon.load()
        reading = reading or read_question(question, lexicon=lexicon)
        retracted = retraction_warnings(hits)
        if not reading.concepts:
            return self._abstain(question, audience, reading, [NO_TOPIC], retracted)
        absent = absent_drugs(reading, hits, lexicon)
        if absent:
            return self._abstain(question, audience, reading, [" or ".join(absent)], retracted)
        lock = TopicLock(reading, lexicon)  # its subjects are read once for every reader
        sources = lock.sources(hits)
        study = study_answer(reading, sources, lexicon)
        if study is not None:
            sections = [
                (TEMPLATES["evidence"][0].title, "findings", study.findings),
                ("The evidence gap", "evidence_gap", study.gaps),
            ]
            sections = [(title, kind, chosen) for title, kind, chosen in sections if chosen]
            return self._answer(
                question,
                audience,
                reading,
                reading,
                study.bottom,
                sections,
                warnings=[study.warning()],
                retracted=retracted,
            )
        candidates = self._read(lock, hits, audience)
        about_topic = any(s.about_all for s in sources)
        if not candidates and reading.relaxable and not about_topic:
            # Nothing names "vitamin D deficiency": what the corpus says of vitamin D, marked
            # as such (see _limits), beats silence. Pages about the topic itself come first
            # ("carbon monoxide poisoning" is not any poisoning).
            relaxed = reading.relaxed()
            candidates = self._read(TopicLock(relaxed, lexicon), hits, audience)
            reading = relaxed if candidates else reading
        asked, unanswered = reading, None
        if not candidates:
            narrowed = _one_condition(reading, hits, lexicon)
            if narrowed is not None:
                # "Pinworm in a family", "the inheritance pattern of cystic fibrosis": nothing
                # names both, but pages about the condition do; say what is not found.
                candidates = self._read(TopicLock(narrowed, lexicon), hits, audience)
                if candidates:
                    dropped = [c.name for c in reading.concepts if c not in narrowed.concepts]
                    reading, unanswered = narrowed, " or ".join(dropped)
        if not candidates:  # the reading is still the one asked: ``sources`` are its own
            missing = [_missing(reading, sources, lexicon)]
            if about_topic and reading.intent != "definition":
                # Pages about the topic, none on what was asked ("what should I monitor?"):
                # what the corpus does say of the topic, under that heading, beats silence.
                reading = reading.overview()
                candidates = self._read(TopicLock(reading, lexicon), hits, audience)
                unanswered = missing[0]
        if not candidates:
            return self._abstain(question, audience, asked, missing, retracted)
        template = reading.template
        for c in candidates:
            c.kind = _kind(c, reading, template)
        candidates = [c for c in candidates if c.kind is not None] or candidates[:1]
        bottom = _bottom_line(candidates, reading)
        others = [c for c in candidates if c is not bottom]
        sections = self._sections(reading, template, others)
        return self._answer(
            question,
            audience,
            asked,
            reading,
            bottom,
            sections,
            unanswered=unanswered,
            retracted=retracted,
        )

    def _answer(
        self,
        question: str,
        audience: str,
        asked: QuestionReading,
        reading: QuestionReading,
        bottom: Candidate,
        sections: Sections,
        *,
        unanswered: str | None = None,
        warnings: list[str] | None = None,
        retracted: list[str],
    ) -> Answer:
        """The answer with ``bottom`` as its bottom line and ``sections`` (tailored to the
        audience); ``asked`` is the reading as asked, ``reading`` the one answered (relaxed
        or narrowed); what is missing and the evidence's age are said first."""
        sections = tailor_sections(audience, sections, lead=bottom.text)
        numbering = _Numbering()
        bottom_line = numbering.statement(bottom)
        answer_sections = [
            AnswerSection(title, kind, [numbering.statement(c) for c in chosen])
            for title, kind, chosen in sections
        ]
        answer = Answer(
            question=question,
            audience=audience,
            intent=asked.intent,
            bottom_line=bottom_line,
            sections=answer_sections,
            references=numbering.references,
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            engine={"composer": self.name},
            question_reading=asked.to_dict(),
        )
        answer.evidence_currency = evidence_currency(answer.references)
        chosen = [bottom, *(c for _, _, members in sections for c in members)]
        answer.missing, limits = _limits(reading, chosen)
        if unanswered:
            answer.missing.insert(0, unanswered)
            limits.insert(
                0,
                f"Not found in this corpus: {unanswered}. What follows is what the corpus says "
                f"about {reading.describe_topic()} in general.",
            )
        inferred = [INFERRED.format(topic=asked.inferred)] if asked.inferred else []
        answer.warnings = [
            *inferred,
            *(warnings or []),
            *limits,
            *self._currency_warnings(answer),
            *retracted,
        ]
        return answer

    def _read(self, lock: TopicLock, hits: list[Hit], audience: str) -> list[Candidate]:
        reader = CandidateReader(lock.reading, lock, audience, self.settings.label_bonus)
        candidates = _merge_duplicates(reader.read(lock.sources(hits)))
        return _strong_enough(candidates, self.settings.min_relative_score)

    def _abstain(
        self,
        question: str,
        audience: str,
        reading: QuestionReading,
        missing: list[str],
        warnings: list[str],
    ) -> Answer:
        answer = insufficient_answer(question, audience, reading, self.name, missing)
        answer.evidence_currency = evidence_currency([])
        answer.warnings.extend(warnings)
        return answer

    # -- sections -----------------------------------------------------------------------

    def _sections(
        self, reading: QuestionReading, template: list[SectionSpec], candidates: list[Candidate]
    ) -> Sections:
        per_section = self.settings.max_statements_per_section
        sections: Sections = []
        budget = MAX_STATEMENTS
        for spec in template:
            members = [c for c in candidates if c.kind == spec.kind]
            for title, chosen in _split(spec, members, reading, template, per_section):
                chosen = chosen[:budget]
                if chosen:
                    sections.append((title, spec.kind, chosen))
                    budget -= len(chosen)
        return sections

    def _currency_warnings(self, answer: Answer) -> list[str]:
        warnings: list[str] = []
        currency = answer.evidence_currency
        newest = max(
            (y for y in (currency.get("newest_year"), currency.get("undated_not_after")) if y),
            default=None,
        )
        this_year = datetime.now(UTC).year
        if newest is not None and this_year - newest > self.settings.stale_after_years:
            warnings.append(
                f"The cited evidence is at least {this_year - newest} years old (nothing newer "
                f"than {newest}): newer treatments, approvals and guidance may be missing."
            )
        undated = currency.get("undated", 0)
        if undated:
            bound = currency.get("undated_not_after")
            limit = f", none newer than {bound}" if bound else ""
            warnings.append(
                f"{undated} cited source(s) carry no publication date{limit}; "
                "check them for currency."
            )
        return warnings


def _missing(reading: QuestionReading, sources: list[Source], lexicon: DrugLexicon) -> str:
    """What an abstaining answer lacks: the topic itself, or, when documents about it were
    found, what was asked of it ("monitoring of thrombocytopenia")."""
    topic = missing_topic(reading, [s.hit for s in sources], lexicon)
    if any(s.about_all for s in sources):
        return f"{ASPECT_NAMES[reading.intent]} of {topic}"
    return topic


def _strong_enough(candidates: list[Candidate], share: float) -> list[Candidate]:
    """Candidates scoring at least ``share`` of the best: a page of weak matches is no
    answer to pad another with."""
    if not candidates:
        return candidates
    floor = share * max(c.score for c in candidates)
    return [c for c in candidates if c.score >= floor]


def _main_kinds(reading: QuestionReading) -> dict[str, str]:
    """Each aspect's main section kind → the aspect's intent."""
    return {TEMPLATES[a.intent][0].kind: a.intent for a in reading.aspects}


def _kind(c: Candidate, reading: QuestionReading, template: list[SectionSpec]) -> str | None:
    """The section a statement's content fits (lowest priority number first); None when it
    fits none (it is left out)."""
    main = _main_kinds(reading)
    fitting = [
        spec
        for spec in template
        if (
            main[spec.kind] in c.aspects and not _misfit(spec, c)
            if spec.kind in main
            else _fits(spec, c, reading)
        )
    ]
    if any(_own_words(c, reading, intent) for intent in main.values() if intent in c.aspects):
        fitting = [s for s in fitting if s.kind not in SIDE_SECTIONS]
    if len([s for s in fitting if s.kind in main]) > 1:
        # "prevent ... and relieve ...": the aspect its page is about, else the one whose own
        # words it uses ("Spasticity ... caused by muscle tone, is treated with ..." on a
        # treatment page answers the treatment aspect, not the cause one).
        best = max(
            (s for s in fitting if s.kind in main),
            key=lambda s: (
                _cue(main[s.kind], c.text),
                -_SPECIFICITY[main[s.kind]],  # "to prevent attacks ... in treating migraine"
                main[s.kind] in c.page,
                _own_words(c, reading, main[s.kind]),
            ),
        )
        fitting = [s for s in fitting if s.kind not in main or s is best]
    return min(fitting, key=lambda s: s.priority).kind if fitting else None


def _fits(spec: SectionSpec, c: Candidate, reading: QuestionReading) -> bool:
    """Whether a statement's content belongs under ``spec`` (beyond its cue words)."""
    text = c.text
    if spec.kind == "dosing":
        return c.dosed
    if spec.kind == "emerging":
        return content.investigational(text)
    if not spec.cues.search(text):
        return False
    if spec.kind == "evidence_gap":
        # What is unknown, never the answer itself: nothing named, no word the question used.
        return not c.specifics and not _own_words(c, reading, None)
    return True


def _cue(intent: str, text: str) -> bool:
    cue = REQUIRED[intent]
    return cue is not None and cue.search(text) is not None


def _misfit(spec: SectionSpec, c: Candidate) -> bool:
    """A statement of an aspect's own page that its main section still does not take."""
    if spec.kind == "dosing":
        return not c.dosed  # a dosing page's "side effects of intravenous X" is no dose
    # "antibiotics ... to relieve symptoms" is treatment, not a sign of the disease
    return spec.kind == "clinical" and CUE["treatment"].search(c.text) is not None


def _own_words(c: Candidate, reading: QuestionReading, intent: str | None) -> int:
    aspects = [a for a in reading.aspects if intent is None or a.intent == intent]
    return len({s for a in aspects for s in a.stems} & c.stems)


def _bottom_line(candidates: list[Candidate], reading: QuestionReading) -> Candidate:
    """The best statement of the main aspect's own section (for treatment, symptomatic
    treatments too), else of another aspect's, else of any section but the gap, emerging and
    pitfalls ones; one that names the topic and something concrete when there is one."""
    main = _main_kinds(reading)
    primary = {TEMPLATES[reading.intent][0].kind}
    if reading.intent == "treatment":
        primary.add("symptomatic")  # "Symptomatic drug therapy may include propranolol ..."
    pools = (
        [c for c in candidates if c.kind in primary],
        [c for c in candidates if c.kind in main],
        [c for c in candidates if c.kind not in NOT_BOTTOM_LINE],
        candidates,
    )
    pool = next(p for p in pools if p)
    plain = [c for c in pool if c.other_form is None] or pool
    plain = [c for c in plain if c.names_topic and c.specifics] or plain
    best = sorted(plain, key=lambda c: -_bottom_line_score(c, reading))[:BOTTOM_LINE_POOL]
    return max(best, key=lambda c: _bottom_line_score(c, reading) - _elsewhere(c, reading))


def _elsewhere(c: Candidate, reading: QuestionReading) -> float:
    """A penalty for a statement about other conditions too ("People with Hodgkin's disease
    ... are treated with radiation, which can also damage the thyroid"): a poor bottom line
    for hypothyroidism, though true and on its page."""
    vocabulary = reading.vocabulary
    if vocabulary is None:
        return 0.0
    own = {k for concept in reading.concepts for k in (*concept.keys, *concept.broader)}
    others = {
        m.key
        for m in vocabulary.find(question_words(c.text))
        if m.term.page and m.key not in own and not any(m.key in k for k in own)
    }
    return ELSEWHERE_PENALTY * min(2, len(others))


def _bottom_line_score(c: Candidate, reading: QuestionReading) -> float:
    bonus = 0.2 if c.hit.document.evidence_level in SUMMARY_LEVELS else 0.0
    bonus += 0.4 if c.names_topic else 0.0  # a bottom line reads on its own
    bonus += 0.2 if c.specific else 0.0
    if reading.intent in ACTION_INTENTS:
        bonus += 0.2 * min(3, c.specifics)  # a treatment answer names treatments
        bonus += PRIMACY * (bool(FIRST_CHOICE.search(c.text)) - bool(LATER_CHOICE.search(c.text)))
    if "evidence" in reading.intents:
        concludes = content.CONCLUDES.search(c.text) or CONCLUSIONS_LABEL.search(c.text)
        bonus += PRIMACY if concludes else 0.0
    bonus -= 0.3 if c.joined else 0.0
    bonus += 0.3 * min(2, len(reading.qualifier_stems & c.stems))  # "depend on their size"
    bonus += 0.3 * min(2, _own_words(c, reading, reading.intent))  # "can it be cured?"
    bonus += 0.2 * min(2, c.asked)  # "do steroids help?"
    return c.score + bonus - 0.02 * max(0, len(c.text.split()) - 35)


def _split(
    spec: SectionSpec,
    members: list[Candidate],
    reading: QuestionReading,
    template: list[SectionSpec],
    limit: int,
) -> list[tuple[str, list[Candidate]]]:
    """The main section is split by the question's subgroups and by other forms of the topic
    ("Treatment options: relapsing multiple sclerosis"); the dosing section by the population
    a passage is limited to ("Dosing and administration: in children")."""
    if spec is template[0]:
        topic = reading.concepts[0]
        parts = [
            (f"{spec.title}: {g.label}", [c for c in members if c.subgroup == g.label][:limit])
            for g in reading.subgroups
        ]
        rest = [c for c in members if c.subgroup is None]
        general = [c for c in rest if c.other_form is None][:limit]
        named = any(p for _, p in parts)
        parts.append((f"{spec.title}: general" if named else spec.title, general))
        return parts + _labelled(
            spec.title, rest, lambda c: c.other_form, f" {topic.general or topic.name}", limit
        )
    if spec.kind == "dosing":
        general = [c for c in members if c.population is None][:limit]
        return [(spec.title, general), *_labelled(spec.title, members, _population, "", limit)]
    return [(spec.title, members[:limit])]


def _population(c: Candidate) -> str | None:
    return c.population


def _labelled(
    title: str,
    members: list[Candidate],
    label: Callable[[Candidate], str | None],
    suffix: str,
    limit: int,
) -> list[tuple[str, list[Candidate]]]:
    """Sub-sections of the members that carry a label, one per label."""
    groups: dict[str, list[Candidate]] = {}
    for c in members:
        name = label(c)
        if name is not None:
            groups.setdefault(name, []).append(c)
    return [(f"{title}: {name}{suffix}", chosen[:limit]) for name, chosen in groups.items()]


def _limits(reading: QuestionReading, chosen: list[Candidate]) -> tuple[list[str], list[str]]:
    """What the answer lacks (``missing``) and the warnings saying so, most important first."""
    missing: list[str] = []
    warnings: list[str] = []
    subject = reading.describe_topic()
    answered = {intent for c in chosen for intent in c.aspects}
    for aspect in reading.aspects[1:]:
        if aspect.intent not in answered:
            name = ASPECT_NAMES[aspect.intent]
            missing.append(f"{name} ({aspect.phrase})")
            warnings.append(
                f"Not found in this corpus: {name} of {subject} (asked: “{aspect.phrase}”); "
                "the answer below covers only the rest of the question."
            )
    for i, concept in enumerate(reading.concepts):
        if concept.broader and not any(c.levels[i] == SPECIFIC for c in chosen):
            missing.append(concept.name)
            warnings.append(
                f"Nothing in this corpus is specific to {concept.name}: the statements below "
                f"are about {concept.general or 'the condition'} in general."
            )
    for concept in reading.asked_for:
        if concept.drugs and not any(concept.named_in(NamedText(c.text, None)) for c in chosen):
            missing.append(concept.name)
            warnings.append(
                f"Nothing in this corpus on {concept.name} for {subject}: no statement below "
                "names it."
            )
    covered = {c.subgroup for c in chosen}
    for group in reading.subgroups:
        if group.label not in covered:
            missing.append(group.label)
            warnings.append(
                f"No statement in this answer is specific to {group.label}; "
                "the corpus holds no sentence that addresses it directly."
            )
    if reading.population and not any(_for_population(c, reading.population) for c in chosen):
        missing.append(reading.population)
        warnings.append(
            f"Nothing in this corpus is specific to {subject} {reading.population}: the "
            "statements below are not limited to it."
        )
    return missing, warnings


def _for_population(c: Candidate, population: str) -> bool:
    from medcite.question.followup import POPULATIONS

    pattern = next((p for p, phrase in POPULATIONS if phrase == population), None)
    where = " ".join(filter(None, [c.text, c.hit.document.title, c.hit.passage.section]))
    return pattern is not None and pattern.search(where) is not None


def _merge_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the best of each group of near-identical sentences; cite all their sources."""
    kept: list[Candidate] = []
    for c in candidates:
        overlapping = [k for k in kept if _overlap(k, c)]
        if overlapping:
            # A sentence already used, alone or with its antecedent; the joined statement
            # replaces the lone sentence when it names more ("Other drugs ... amantadine").
            lone = overlapping[0]
            if len(overlapping) == 1 and _contains(c, lone) and c.specifics > lone.specifics:
                kept[kept.index(lone)] = c
            continue
        twin = next((k for k in kept if _same(k, c)), None)
        if twin is None:
            kept.append(c)
        elif c.hit.passage.passage_id not in _passage_ids(twin):
            twin.also.append(c)
    return kept


def _same(a: Candidate, b: Candidate) -> bool:
    """Near-identical wording, or one statement inside the other (the same sentence with and
    without its antecedent, from two copies of a page)."""
    return jaccard(a.stems, b.stems) >= DUPLICATE_JACCARD or a.text in b.text or b.text in a.text


def _overlap(a: Candidate, b: Candidate) -> bool:
    same = a.hit.passage.passage_id == b.hit.passage.passage_id
    return same and a.start < b.end and b.start < a.end


def _contains(a: Candidate, b: Candidate) -> bool:
    return a.start <= b.start and b.end <= a.end


def _passage_ids(c: Candidate) -> set[str]:
    return {c.hit.passage.passage_id, *(a.hit.passage.passage_id for a in c.also)}


class _Numbering(ReferenceNumbering):
    """Reference numbers (one per document) that also turn a candidate into its statement."""

    def statement(self, c: Candidate) -> Statement:
        """The statement is verbatim in its first source (score 1); merged near-duplicates
        cite their own wording, scored by word overlap with the statement."""
        evidence = []
        for source in (c, *c.also):
            n = self.number(source.hit)
            score = 1.0 if source is c else round(jaccard(c.stems, source.stems), 3)
            passage_id = source.hit.passage.passage_id
            evidence.append(Evidence(n, source.text, score, passage_id, source.start, source.end))
        citations = list(dict.fromkeys(e.n for e in evidence))
        return Statement(c.text, citations, "supported", evidence)


def retraction_warnings(hits: list[Hit]) -> list[str]:
    """One warning naming the retracted documents that were retrieved but never cited."""
    retracted = {
        h.document.doc_id: h.document.title for h in hits if h.document.metadata.get("retracted")
    }
    if not retracted:
        return []
    named = "; ".join(f"{doc_id} ({title})" for doc_id, title in sorted(retracted.items()))
    return [f"Excluded {len(retracted)} retracted publication(s) from the evidence: {named}."]


def evidence_currency(references: list[Reference]) -> dict[str, int | None]:
    """Newest and oldest publication year among the cited documents, how many are undated,
    and for those the latest year their collection allows (``not_after_year``)."""
    docs = {r.document.doc_id: r.document for r in references}.values()
    years = [d.year for d in docs if d.year is not None]
    bounds = [
        d.metadata["not_after_year"]
        for d in docs
        if d.year is None and d.metadata.get("not_after_year")
    ]
    return {
        "newest_year": max(years) if years else None,
        "oldest_year": min(years) if years else None,
        "dated": len(years),
        "undated": sum(1 for d in docs if d.year is None),
        "undated_not_after": max(bounds) if bounds else None,
    }


def _one_condition(
    reading: QuestionReading, hits: list[Hit], lexicon: DrugLexicon
) -> QuestionReading | None:
    """The reading narrowed to the one condition most retrieved documents are about, when
    the question names other conditions besides it (never drugs, which an answer must name,
    nor names the corpus vocabulary does not know, whose absence is the answer), and only
    when everything asked about it is named somewhere in the hits."""
    concepts = reading.concepts
    if len(concepts) < 2 or any(c.kind != "condition" for c in concepts):
        return None
    if named_nowhere(reading.asked_for, hits, lexicon):
        return None  # "lenacapavir … as HIV prophylaxis": what is asked about is absent
    sources = TopicLock(reading, lexicon).sources(hits)
    documents: dict[str, tuple[int, ...]] = {s.hit.document.doc_id: s.levels for s in sources}
    about = [sum(1 for levels in documents.values() if levels[i]) for i in range(len(concepts))]
    best = max(range(len(concepts)), key=lambda i: about[i])
    if not about[best]:
        return None
    return replace(reading, concepts=(concepts[best],))

"""The extractive composer: an answer built only from verbatim source sentences.

Offline and deterministic. For each retrieved passage it splits sentences, keeps those that
are about the question's topic (topic-stem coverage of the sentence, the sentence before it
and its document title, or of its whole passage when the document is about the topic) and
that speak to the question's intent, sorts them into the intent's section template by cue
patterns, merges near-duplicates (citing every source that said it), picks the bottom line,
and numbers references by first use. Every statement is an exact substring of its cited passage,
so its evidence span is the statement itself. When nothing relevant is found it says so
instead of filling the page with unrelated text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from medcite.compose.audience import sentence_bonus, source_bonus, tailor_sections
from medcite.config import ComposeSettings
from medcite.models import (
    Answer,
    AnswerSection,
    Evidence,
    EvidenceLevel,
    Hit,
    Reference,
    Statement,
)
from medcite.question.intent import QuestionAnalysis, SectionSpec, analyse
from medcite.text.sentences import split_sentences
from medcite.text.terms import content_stems, coverage, jaccard, tokens

MIN_WORDS, MAX_WORDS = 6, 70
DUPLICATE_JACCARD = 0.7
MAX_STATEMENTS = 24
IMPLICIT_WEIGHT = 0.75
OFF_TOPIC_PENALTY = 0.4
_BOILERPLATE = re.compile(
    r"^(?:these resources|learn more|for more information|see also|click|visit|go to|"
    r"to read or download|the human phenotype ontology|you can use|source:|nih:)",
    re.IGNORECASE,
)
_LABEL_PREFIX = re.compile(r"^([A-Z]{4,}(?: [A-Z]{2,})*)\s")
_WEAK_SECTIONS = re.compile(r"method|design|setting|participant|subject", re.IGNORECASE)
SUMMARY_LEVELS = {
    EvidenceLevel.GUIDELINE,
    EvidenceLevel.SYSTEMATIC_REVIEW,
    EvidenceLevel.CONSUMER,
    EvidenceLevel.REVIEW,
}
INSUFFICIENT = "Insufficient evidence in this corpus to answer this question."
# Sections where the drug label's exact wording is preferred (ComposeSettings.label_bonus).
LABEL_FIRST_KINDS = {"dosing", "pre_treatment", "interactions"}


@dataclass
class Candidate:
    """A source sentence that could become a statement."""

    text: str
    hit: Hit
    start: int  # offsets into hit.passage.text
    end: int
    stems: frozenset[str]
    relevance: float
    score: float
    kind: str | None
    subgroup: str | None
    also: list[Candidate] = field(default_factory=list)  # merged near-duplicates
    off_topic: bool = False  # from a document whose title is about something else


@dataclass(frozen=True)
class _SourceContext:
    """What a hit's document and passage say about the question's topic."""

    hit: Hit
    title: frozenset[str]  # topic stems found in the title
    on_topic: bool  # the title names the topic (or there is no real title)
    implicit: float  # relevance a sentence inherits from its passage, 0 when off topic
    retrieval: float  # the hit's score relative to the best hit
    bonus: float  # evidence-based adjustments (audience, off-topic penalty)
    audience: str

    @classmethod
    def of(
        cls, hit: Hit, analysis: QuestionAnalysis, retrieval: float, audience: str
    ) -> _SourceContext:
        title = _topic_stems(hit.document.title, analysis)
        # More than half: "primary lateral sclerosis" is not about "multiple sclerosis".
        on_topic = coverage(analysis.topic_stems, title) > 0.5 or _untitled(hit)
        implicit = 0.0
        if on_topic:
            # Sentences of a passage that is about the topic may leave it implicit.
            passage = _topic_stems(hit.passage.text, analysis)
            implicit = IMPLICIT_WEIGHT * coverage(analysis.topic_stems, passage | title)
        bonus = (0.0 if on_topic else -OFF_TOPIC_PENALTY) + source_bonus(audience, hit.document)
        return cls(hit, title, on_topic, implicit, retrieval, bonus, audience)


class ExtractiveComposer:
    """Composes answers from verbatim sentences of the hits it is given."""

    name = "extractive"

    def __init__(self, settings: ComposeSettings | None = None) -> None:
        self.settings = settings or ComposeSettings()

    def compose(
        self,
        question: str,
        hits: list[Hit],
        *,
        audience: str = "clinician",
        analysis: QuestionAnalysis | None = None,
    ) -> Answer:
        """An answer to ``question`` from ``hits``; pass ``analysis`` if the caller has it."""
        analysis = analysis or analyse(question)
        candidates = _merge_duplicates(self._candidates(analysis, hits, audience))
        now = datetime.now(UTC).isoformat(timespec="seconds")
        if not candidates:
            answer = _insufficient(question, audience, analysis.intent, now)
            answer.warnings.extend(retraction_warnings(hits))
            return answer
        # A page about another condition that mentions this one is no bottom line for it.
        eligible = [c for c in candidates if not c.off_topic] or candidates
        bottom = max(eligible, key=lambda c: _bottom_line_score(c, analysis))
        others = [c for c in candidates if c is not bottom]
        sections = tailor_sections(audience, self._sections(analysis, others))
        numbering = _Numbering()
        bottom_line = numbering.statement(bottom)
        answer_sections = [
            AnswerSection(title, kind, [numbering.statement(c) for c in chosen])
            for title, kind, chosen in sections
        ]
        answer = Answer(
            question=question,
            audience=audience,
            intent=analysis.intent,
            bottom_line=bottom_line,
            sections=answer_sections,
            references=numbering.references,
            generated_at=now,
            engine={"composer": self.name},
        )
        answer.evidence_currency = evidence_currency(answer.references)
        answer.warnings.extend(self._warnings(analysis, answer, sections))
        answer.warnings.extend(retraction_warnings(hits))
        return answer

    # -- candidates ---------------------------------------------------------------------

    def _candidates(
        self, analysis: QuestionAnalysis, hits: list[Hit], audience: str
    ) -> list[Candidate]:
        if not hits:
            return []
        top_score = max(h.score for h in hits) or 1.0
        found: list[Candidate] = []
        for hit in hits:
            if hit.document.metadata.get("retracted"):
                continue  # a retracted paper never supports a statement
            source = _SourceContext.of(hit, analysis, hit.score / top_score, audience)
            previous: frozenset[str] = frozenset()
            for start, end in split_sentences(hit.passage.text):
                text = hit.passage.text[start:end]
                stems = _topic_stems(text, analysis)
                candidate = self._candidate(analysis, source, start, end, stems, previous)
                if candidate is not None:
                    found.append(candidate)
                previous = stems
        return sorted(found, key=lambda c: (-c.score, c.hit.rank, c.start))

    def _candidate(
        self,
        analysis: QuestionAnalysis,
        source: _SourceContext,
        start: int,
        end: int,
        stems: frozenset[str],
        previous: frozenset[str],
    ) -> Candidate | None:
        hit = source.hit
        text = hit.passage.text[start:end]
        if not _is_statement(text) or not analysis.on_intent(text):
            return None
        # The previous sentence counts: "natalizumab ... was approved. However, the drug ..."
        relevance = max(
            coverage(analysis.topic_stems, stems | previous | source.title), source.implicit
        )
        if relevance < self.settings.min_relevance:
            return None
        spec = _section_for(analysis.template, text)
        subgroup = next(
            (g.label for g in analysis.subgroups if g.stems and set(g.stems) <= stems), None
        )
        score = relevance + 0.6 * source.retrieval + (0.4 if spec else 0.0)
        score += (0.2 if subgroup else 0.0) + source.bonus + sentence_bonus(source.audience, text)
        label = hit.passage.section or _label_prefix(text)
        if label and _WEAK_SECTIONS.search(label):
            score -= 0.4
        if (
            spec
            and spec.kind in LABEL_FIRST_KINDS
            and hit.document.evidence_level is (EvidenceLevel.LABEL)
        ):
            score += self.settings.label_bonus
        return Candidate(
            text,
            hit,
            start,
            end,
            stems,
            relevance,
            score,
            spec.kind if spec else None,
            subgroup,
            off_topic=not source.on_topic,
        )

    # -- sections -----------------------------------------------------------------------

    def _sections(
        self, analysis: QuestionAnalysis, candidates: list[Candidate]
    ) -> list[tuple[str, str, list[Candidate]]]:
        per_section = self.settings.max_statements_per_section
        sections: list[tuple[str, str, list[Candidate]]] = []
        budget = MAX_STATEMENTS
        for spec in analysis.template:
            members = [c for c in candidates if c.kind == spec.kind]
            for title, chosen in _split_by_subgroup(spec, members, analysis, per_section):
                chosen = chosen[:budget]
                if chosen:
                    sections.append((title, spec.kind, chosen))
                    budget -= len(chosen)
        return sections

    def _warnings(
        self,
        analysis: QuestionAnalysis,
        answer: Answer,
        sections: list[tuple[str, str, list[Candidate]]],
    ) -> list[str]:
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
        covered = {c.subgroup for _, _, chosen in sections for c in chosen}
        for group in analysis.subgroups:
            if group.label not in covered:
                warnings.append(
                    f"No statement in this answer is specific to {group.label}; "
                    "the corpus holds no sentence that addresses it directly."
                )
        return warnings


def _split_by_subgroup(
    spec: SectionSpec, members: list[Candidate], analysis: QuestionAnalysis, limit: int
) -> list[tuple[str, list[Candidate]]]:
    """The first (main) section of a template is split by the question's subgroups."""
    if not analysis.subgroups or spec is not analysis.template[0]:
        return [(spec.title, members[:limit])]
    parts = [
        (f"{spec.title}: {g.label}", [c for c in members if c.subgroup == g.label][:limit])
        for g in analysis.subgroups
    ]
    general = [c for c in members if c.subgroup is None][:limit]
    return [
        *parts,
        (spec.title if not any(p for _, p in parts) else f"{spec.title}: general", general),
    ]


def _section_for(template: list[SectionSpec], text: str) -> SectionSpec | None:
    matching = [spec for spec in template if spec.cues.search(text)]
    return min(matching, key=lambda s: s.priority) if matching else None


def _is_statement(text: str) -> bool:
    """A full sentence that states something: not a heading, list fragment, link or question."""
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if not text.rstrip("\"')]”’").endswith((".", "!")) or "http" in text or "www." in text:
        return False
    return not _BOILERPLATE.match(text)


def _label_prefix(text: str) -> str | None:
    """An abstract section label run into the sentence ("METHODS We randomly assigned...")."""
    match = _LABEL_PREFIX.match(text)
    return match.group(1) if match else None


def _untitled(hit: Hit) -> bool:
    """PubMedQA records have no titles; their placeholder says nothing about the topic."""
    return hit.document.title.startswith("PubMed ") or bool(
        hit.document.metadata.get("text_is_title")
    )


def _topic_stems(text: str, analysis: QuestionAnalysis) -> frozenset[str]:
    return _with_acronyms(frozenset(content_stems(text)), analysis.topic_stems, text)


def _with_acronyms(stems: frozenset[str], topic: tuple[str, ...], text: str) -> frozenset[str]:
    """Count "MS" as "multiple sclerosis" when the topic has those words in a row."""
    words = set(tokens(text))
    extra: set[str] = set()
    for size in (2, 3, 4):
        for i in range(len(topic) - size + 1):
            run = topic[i : i + size]
            if "".join(s[0] for s in run) in words:
                extra.update(run)
    return stems | extra if extra else stems


def _bottom_line_score(c: Candidate, analysis: QuestionAnalysis) -> float:
    main_cue = analysis.template[0].cues
    bonus = 0.5 if main_cue.search(c.text) else 0.0
    bonus += 0.2 if c.hit.document.evidence_level in SUMMARY_LEVELS else 0.0
    bonus += 0.2 * c.relevance
    return c.score + bonus - 0.02 * max(0, len(c.text.split()) - 35)


def _merge_duplicates(candidates: list[Candidate]) -> list[Candidate]:
    """Keep the best of each group of near-identical sentences; cite all their sources."""
    kept: list[Candidate] = []
    for c in candidates:
        twin = next((k for k in kept if jaccard(k.stems, c.stems) >= DUPLICATE_JACCARD), None)
        if twin is None:
            kept.append(c)
        elif c.hit.passage.passage_id not in _passage_ids(twin):
            twin.also.append(c)
    return kept


def _passage_ids(c: Candidate) -> set[str]:
    return {c.hit.passage.passage_id, *(a.hit.passage.passage_id for a in c.also)}


class _Numbering:
    """Assigns reference numbers in order of first use."""

    def __init__(self) -> None:
        self.references: list[Reference] = []
        self._by_passage: dict[str, int] = {}

    def number(self, hit: Hit) -> int:
        pid = hit.passage.passage_id
        if pid not in self._by_passage:
            self._by_passage[pid] = len(self.references) + 1
            self.references.append(Reference(self._by_passage[pid], hit.passage, hit.document))
        return self._by_passage[pid]

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


def _insufficient(question: str, audience: str, intent: str, now: str) -> Answer:
    return Answer(
        question=question,
        audience=audience,
        intent=intent,
        bottom_line=Statement(INSUFFICIENT, [], "not_checked"),
        sections=[],
        references=[],
        generated_at=now,
        engine={"composer": ExtractiveComposer.name},
        warnings=[
            "No passage in this corpus addresses the question's topic; no answer was composed. "
            "Ingest sources that cover it (see `medcite ingest --help`)."
        ],
        evidence_currency=evidence_currency([]),
        insufficient_evidence=True,
    )

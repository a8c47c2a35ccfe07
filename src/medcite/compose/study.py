"""Research questions answered by the study that answers them.

A closed research question ("Do statins lower the risk of hip fracture in older adults?",
"After a short course of a PPI, do symptoms rebound?") is answered by what a study found.
Read as a treatment or prevention question, its answer is a collage: the study's RESULTS
sentences ("associated with a significant reduction in the risk") carry no prevention cue
and are dropped, while background sentences of other abstracts fill the page.

So when the question is closed (every clause a yes/no or "how strongly/how much" question)
and the study abstract about its topic that holds the most of the question's own words holds
more of them than any page does, the answer is that study's: its conclusion as the bottom
line, its results under "What the studies found", what it says remains to be shown under
"The evidence gap", and a warning on top that the answer rests on one study of its design
and year. Each abstract sentence is read under its section label (PubMedQA's passage
sections, SciFact's run-in "RESULTS …" labels, carried across passages); background,
objective and methods sentences are never statements. A second study is read too when it
holds nearly as many of the question's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medcite.compose import content
from medcite.compose.candidates import Candidate, is_statement, sentence_candidate
from medcite.compose.lock import Source
from medcite.models import EvidenceLevel, Hit
from medcite.question.intent import CUE, INTENT_RULES
from medcite.question.reading import QuestionReading, interrogative
from medcite.question.topic import NamedText, has_focus
from medcite.question.words import FILLER_STEMS, key_stems
from medcite.text.drugs import DrugLexicon
from medcite.text.sentences import split_sentences

__all__ = ["StudyAnswer", "answering_studies", "research_question", "study_answer"]

STUDY_COVERAGE = 0.6  # of the question's own words the abstract must hold
SECOND_STUDY = 0.1  # a second study within this much of the best is read too
MAX_STUDIES = 2
MAX_FINDINGS = 6
NOT_STUDIES = frozenset({EvidenceLevel.CONSUMER, EvidenceLevel.GUIDELINE, EvidenceLevel.LABEL})
DESIGNS = {
    EvidenceLevel.SYSTEMATIC_REVIEW: "a systematic review or meta-analysis",
    EvidenceLevel.RCT: "a randomised trial",
    EvidenceLevel.COHORT: "an observational or non-randomised study",
    EvidenceLevel.CASE: "a case report",
    EvidenceLevel.REVIEW: "a narrative review",
}
_CLOSED = next(pattern for intent, pattern in INTENT_RULES if intent == "evidence")
_QUANTITATIVE = re.compile(
    r"\bhow (?:strongly|much|many times|likely|often|common|frequent(?:ly)?)\b", re.IGNORECASE
)
# A clause asking for a list or an explanation, which one study's findings do not answer.
_OPEN = re.compile(r"^\s*(?:(?:and|or|but) )?(?:what|which|who|when|where|why|how)\b", re.I)
_CLAUSE = re.compile(r"[?;]|(?<!\b[A-Z])\.\s|,\s*(?=(?:and|or|but)\b)")
_RESULTS = re.compile(r"^(?:RESULTS?|FINDINGS|MAIN RESULTS)\b")
_WITH_RESULTS = re.compile(r"\bRESULTS?\b")
_CONCLUSIONS = re.compile(r"^(?:CONCLUSIONS?|INTERPRETATION|IMPLICATIONS)\b")
# A finding with its size: a percentage, a ratio, a confidence interval or a P value.
_QUANTIFIED = re.compile(
    r"\d\s?%|\d\.\d|\b(?:odds|hazard|risk|rate) ratio|\b(?:OR|RR|HR|CI|ETD)\b|"
    r"\b[Pp]\s?(?:[<=>]|less than)|\bsignifican"
)
_STILL_OPEN = re.compile(
    r"\b(?:are|is) (?:still |now )?(?:needed|required|warranted)\b|"
    r"\bfurther (?:research|studies|trials|investigation)\b|"
    r"\b(?:support|warrant|justify|call for)s?\b[^.]{0,40}\b(?:studies|trials|research)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StudyAnswer:
    """What the studies chosen for a research question say, ready to be sections."""

    studies: tuple[Source, ...]
    bottom: Candidate
    findings: list[Candidate]
    gaps: list[Candidate]

    def warning(self) -> str:
        """What the answer rests on, said first."""
        first = self.studies[0].hit.document
        design = DESIGNS.get(first.evidence_level, "a study")
        year = f", {first.year}" if first.year else ", year not recorded"
        more = " and one other study" if len(self.studies) > 1 else ""
        return (
            f"This answer rests on the findings of {design}{year}{more}, not on a guideline "
            "or review: no summary source in this corpus addresses the question as closely. "
            "Check the study's population and design before applying it."
        )


def research_question(question: str) -> bool:
    """Every clause asks yes or no, or how strongly or how much ("Do statins lower …?",
    "How strongly is H. pylori linked to gastric cancer?"); none asks for a list."""
    clauses = [c.strip() for c in _CLAUSE.split(question) if c.strip()]
    asks = [c for c in clauses if _CLOSED.search(c) or _QUANTITATIVE.search(c)]
    if not asks:
        return False
    return not any(_OPEN.search(c) and c not in asks for c in clauses)


def answering_studies(reading: QuestionReading, sources: list[Source]) -> list[Source]:
    """The studies (best first, one source per document) that answer a research question,
    or none: see the module docstring."""
    if not reading.concepts or not research_question(reading.question):
        return []
    asked = question_stems(reading)
    if not asked:
        return []
    best: dict[str, tuple[float, Source]] = {}
    page = 0.0
    for source in sources:
        document = source.hit.document
        if document.doc_id in best:
            continue
        stems = _document_stems(source.hit)
        coverage = len(asked & stems) / len(asked)
        if _study(source.hit):
            if _names_every_drug(reading, stems):
                best[document.doc_id] = (coverage, source)
        else:
            page = max(page, coverage)
    ranked = sorted(best.values(), key=lambda item: -item[0])
    if not ranked or ranked[0][0] < STUDY_COVERAGE or ranked[0][0] <= page:
        return []
    top = ranked[0][0]
    return [s for c, s in ranked[:MAX_STUDIES] if c >= max(STUDY_COVERAGE, top - SECOND_STUDY)]


def study_documents(reading: QuestionReading, sources: list[Source]) -> list[str]:
    """The documents :func:`answering_studies` chooses among ``sources`` (to be read
    whole)."""
    return [s.hit.document.doc_id for s in answering_studies(reading, sources)]


def question_stems(reading: QuestionReading) -> frozenset[str]:
    """The words the question asks with (no question, filler or stop words): its asking
    sentences' and the words it names its concepts with. A vignette's story ("a 71-year-old
    woman in the ED ...") is not what a study must cover."""
    named = set(key_stems(" ".join(c.name for c in reading.concepts)))
    asked = {
        *key_stems(interrogative(reading.question)),
        *named.intersection(key_stems(reading.question)),
    }
    return frozenset(s for s in asked if s not in FILLER_STEMS)


def study_answer(
    reading: QuestionReading, sources: list[Source], lexicon: DrugLexicon | None
) -> StudyAnswer | None:
    """The answer from the studies that answer ``reading``'s question, or None."""
    asked = question_stems(reading)
    read = [_read_study(s, sources, reading, lexicon) for s in answering_studies(reading, sources)]
    # A study that quantifies what it found answers before one that only reports a mechanism.
    read = sorted((r for r in read if r.conclusions or r.results), key=lambda r: not r.quantified)
    if not read:
        return None
    first = read[0]
    concluding = [c for c in first.conclusions if not _still_open(c.text)]
    gaps = [c for c in first.conclusions if _still_open(c.text)]
    results = _best_results(first.results, asked, MAX_FINDINGS)
    # Without a conclusion (PubMedQA keeps it apart), the result that states a finding in
    # the question's words.
    best_result = sorted(
        results, key=lambda c: (-_finding(c.text), -len(asked & c.stems), -_quantified(c))
    )
    bottom = (concluding or best_result or gaps)[0]
    gaps = [c for c in gaps if c is not bottom]
    findings = [c for c in (*concluding, *results) if c is not bottom]
    studies = [first.study]
    for other in read[1:]:
        if other.quantified and first.quantified:
            findings += [*other.conclusions[:1], *_best_results(other.results, asked, 2)]
            studies.append(other.study)
    for c in (bottom, *findings):
        c.kind = "findings"
    for c in gaps:
        c.kind = "evidence_gap"
    return StudyAnswer(tuple(studies), bottom, findings, gaps)


@dataclass
class _ReadStudy:
    study: Source
    conclusions: list[Candidate]
    results: list[Candidate]

    @property
    def quantified(self) -> bool:
        return any(map(_quantified, (*self.conclusions, *self.results)))


def _best_results(results: list[Candidate], asked: frozenset[str], limit: int) -> list[Candidate]:
    """The results that quantify a finding and use the question's words most, in document
    order."""
    ranked = sorted(results, key=lambda c: (-_quantified(c), -len(asked & c.stems)))
    chosen = {id(c) for c in ranked[:limit]}
    return [c for c in results if id(c) in chosen]


def _study(hit: Hit) -> bool:
    document = hit.document
    return not has_focus(document) and document.evidence_level not in NOT_STUDIES


def _names_every_drug(reading: QuestionReading, stems: frozenset[str]) -> bool:
    """A study about "empagliflozin in heart failure" names empagliflozin (or its generic):
    one that never does is about the condition, not the drug asked."""
    drugs = [c for c in reading.concepts if c.kind == "drug"]
    return all(any(set(key_stems(n)) <= stems for n in (c.name, *c.drugs)) for c in drugs)


def _document_stems(hit: Hit) -> frozenset[str]:
    document = hit.document
    return frozenset(key_stems(f"{document.title} {document.text} {' '.join(document.mesh)}"))


def _read_study(
    study: Source, sources: list[Source], reading: QuestionReading, lexicon: DrugLexicon | None
) -> _ReadStudy:
    """The study's conclusion and result sentences, in document order."""
    doc_id = study.hit.document.doc_id
    own = sorted(
        {s.hit.passage.passage_id: s for s in sources if s.hit.document.doc_id == doc_id}.values(),
        key=lambda s: s.hit.passage.ordinal,
    )
    sentences = [
        (source, *span) for source in own for span in split_sentences(source.hit.passage.text)
    ]
    structured = any(
        s.hit.passage.section or content.label_prefix(s.hit.passage.text[a:b])
        for s, a, b in sentences
    )
    read = _ReadStudy(study, [], [])
    label: str | None = None
    passage_id = None
    for source, start, end in sentences:
        passage = source.hit.passage
        if passage.passage_id != passage_id and passage.section:
            label = passage.section.upper()
        passage_id = passage.passage_id
        sentence = passage.text[start:end]
        prefix = content.label_prefix(sentence)
        if prefix:
            label = prefix
            start += content.LABEL_PREFIX.match(sentence).end()  # type: ignore[union-attr]
            sentence = passage.text[start:end]
        role = _role(label, sentence, structured)
        if role is None or not is_statement(sentence) or content.scaffolding(sentence):
            continue
        if content.dangling(sentence):
            continue
        candidate = _candidate(source, start, end, reading, lexicon)
        (read.conclusions if role == "conclusion" else read.results).append(candidate)
    return read


def _role(label: str | None, sentence: str, structured: bool) -> str | None:
    """ "conclusion", "result", or None for background, aims and methods (and, in a
    structured abstract, whatever precedes its first label)."""
    if label and _CONCLUSIONS.match(label):
        return "conclusion"
    if label and _RESULTS.match(label):
        return "result"
    if label and _WITH_RESULTS.search(label):  # "METHODS AND RESULTS": the findings only
        return "result" if _finding(sentence) and _QUANTIFIED.search(sentence) else None
    if structured or (label and content.scaffold_label(label)):
        return None
    if content.CONCLUDES.search(sentence):
        return "conclusion"
    return "result" if _finding(sentence) and _QUANTIFIED.search(sentence) else None


def _still_open(sentence: str) -> bool:
    return bool(_STILL_OPEN.search(sentence) or CUE["evidence_gap"].search(sentence))


def _quantified(c: Candidate) -> bool:
    return _QUANTIFIED.search(c.text) is not None


def _finding(sentence: str) -> bool:
    return bool(CUE["findings"].search(sentence) or CUE["null_findings"].search(sentence))


def _candidate(
    source: Source, start: int, end: int, reading: QuestionReading, lexicon: DrugLexicon | None
) -> Candidate:
    named = NamedText(source.hit.passage.text[start:end], lexicon)
    levels = source.coverage(named, reading) or source.levels
    aspects = frozenset({"evidence", *reading.intents})
    return sentence_candidate(source, start, end, named, levels, aspects, reading)

"""Verifying a composed :class:`~medcite.models.Answer` in place: every cited statement gets a
label, its outcome (supported / contradicted / not found), reasons and one evidence entry per
cited passage (a reference is a document; the passages of it a statement cites are those its
composer's evidence named), and — when the question's topic is known — whether a cited
document is about it; the answer gets its conflicts and a warning for every statement its
sources do not support or that cites only documents about something else.

    took_ms = verify_answer(answer, HeuristicVerifier(), topic_terms=["multiple sclerosis", "MS"])
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from medcite.models import Answer, Evidence, Passage, Reference, Statement
from medcite.verify.base import (
    CONTRADICTED,
    NOT_FOUND,
    SUPPORTED,
    Verdict,
    Verifier,
    schema_support,
)
from medcite.verify.conflicts import find_conflicts
from medcite.verify.relevance import about_topic, subject_texts

HEURISTIC_NOTE = (
    "Support labels are heuristic (word alignment and rules for numbers, negation, "
    "exclusivity, drugs, populations and hedges; no NLI model): check flagged statements."
)


def verify_answer(
    answer: Answer, verifier: Verifier, *, topic_terms: Sequence[str] | None = None
) -> float:
    """Label ``answer``'s statements and fill its conflicts; returns the time taken in ms.

    ``topic_terms`` are the forms of the question's topic (name, synonyms, broader name, short
    forms), as the question stage reads them; with them each statement records whether a cited
    document is about the topic (``on_topic``)."""
    started = time.perf_counter()
    references = {r.n: r for r in answer.references}
    flagged = []
    off_topic = []
    for statement in [answer.bottom_line, *(s for sec in answer.sections for s in sec.statements)]:
        cited = [
            (n, passage)
            for n in statement.citations
            if n in references
            for passage in references[n].cited_by(statement)
        ]
        if not cited:
            continue  # e.g. the "insufficient evidence" line: nothing is claimed from a source
        verdict = verify_statement(statement, cited, verifier)
        if verdict.label != SUPPORTED:
            flagged.append((statement, verdict))
        if topic_terms:
            about = [n for n, _ in cited if _on_topic(topic_terms, references[n])]
            statement.on_topic = bool(about)
            others = sorted({n for n, _ in cited if n not in about})
            if others:
                shown = ", ".join(f"[{n}]" for n in others)
                statement.reasons.append(f"relevance: {shown} not about {topic_terms[0]}")
            if not statement.on_topic:
                off_topic.append(statement)
    every = [(r.n, p) for r in answer.references for p in r.passages]
    numbers = {p.passage_id: n for n, p in every}
    answer.conflicts = [
        *find_conflicts(every, verifier.drugs),
        *(
            statement_conflict(s.text, s.citations, v, numbers)
            for s, v in flagged
            if v.label == CONTRADICTED
        ),
    ]
    answer.warnings.extend(_warning(s, v) for s, v in flagged)
    answer.warnings.extend(
        f"Statement cites no source about {topic_terms[0]} (heuristic check): {_clip(s.text)}"
        for s in off_topic
        if topic_terms
    )
    answer.engine["verifier"] = {**verifier.describe(), "note": HEURISTIC_NOTE}
    return (time.perf_counter() - started) * 1000


def _on_topic(terms: Sequence[str], reference: Reference) -> bool:
    return any(about_topic(terms, subject_texts(reference.document, p)) for p in reference.passages)


def verify_statement(
    statement: Statement, cited: list[tuple[int, Passage]], verifier: Verifier
) -> Verdict:
    """The statement's verdict against all its cited passages, and one evidence entry per
    (reference number, passage) saying whether that passage alone supports it."""
    # A verbatim source sentence (the extractive composer's) needs lexical alignment only; the
    # embedder would cost more than the 50 ms an answer's verification may take. A paraphrase
    # (the LLM composer's) gets the same check its composer's gate gave it, embeddings included.
    embeddings = not any(statement.text in passage.text for _, passage in cited)
    verdict = verifier.verify(statement.text, [p for _, p in cited], embeddings=embeddings)
    statement.label = verdict.label
    statement.outcome = verdict.outcome
    statement.support = schema_support(verdict.label)
    statement.reasons = list(verdict.reasons)
    evidence = []
    for n, passage in cited:
        alone = (
            verdict
            if len(cited) == 1
            else verifier.verify(statement.text, [passage], embeddings=embeddings)
        )
        quote, start, end = _evidence_span(statement.text, passage, alone)
        evidence.append(
            Evidence(n, quote, alone.score, passage.passage_id, start, end, alone.label)
        )
    statement.evidence = evidence
    return verdict


def _evidence_span(text: str, passage: Passage, verdict: Verdict) -> tuple[str, int, int]:
    """Where the evidence lies: the statement itself when it is quoted verbatim (a statement
    joined with its antecedent sentence spans both), else the window that decided."""
    start = passage.text.find(text)
    if start >= 0:
        return text, start, start + len(text)
    best = verdict.best
    return (best.quote, best.start, best.end) if best else ("", 0, 0)


def statement_conflict(
    text: str, citations: list[int], verdict: Verdict, numbers: dict[str, int]
) -> dict[str, Any]:
    """A contradicted statement as a conflict; ``numbers`` maps passage ids to reference n."""
    refs = sorted({numbers[s.passage_id] for s in verdict.contradicting if s.passage_id in numbers})
    reason = verdict.reasons[1] if len(verdict.reasons) > 1 else "contradicted"
    return {
        "summary": f"A statement contradicts its sources: {_clip(text)} ({reason})",
        "references": refs or list(citations),
        "kind": "statement",
    }


_OUTCOME_WORDS = {
    SUPPORTED: "only partly supported by its citations",
    CONTRADICTED: "contradicted by its citations",
    NOT_FOUND: "not found in its citations",
}


def _warning(statement: Statement, verdict: Verdict) -> str:
    why = "; ".join(verdict.reasons[1:]) or verdict.reasons[0]
    shown = verdict.contradicting[0].quote if verdict.contradicting else ""
    said = f' (the source says: "{_clip(shown, 160)}")' if shown else ""
    return (
        f"Statement {_OUTCOME_WORDS[verdict.outcome]} (heuristic check): "
        f"{_clip(statement.text)} — {why}{said}"
    )


def _clip(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

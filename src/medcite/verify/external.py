"""Checking an answer produced elsewhere against the corpus: resolve its references to corpus
documents (by the passage text it carries, PMID or title), verify each statement against what
it cites, or against a corpus search when it cites nothing.

    report = verify_external(engine, Path("answer.md").read_text())
    report["statements"][0]["label"]     # "contradicted"

The report is the ``medcite verify --format json`` shape::

    {"statements": [{"id", "text", "label", "outcome", "finding", "citations",
                     "checked_against": "citations" | "corpus",
                     "evidence": [{"doc_id", "passage_id", "quote", "score"}], "reasons"}],
     "conflicts": [{"summary", "references", "kind"}], "references": [...],
     "unlisted_citations": [n, ...], "skipped_lines": n, "notes": [...],
     "summary": {label: count}, "outcomes": {outcome: count},
     "verifier": {..., "heuristic": true}}

``outcome`` keeps apart what a reader must not confuse: ``supported`` (the cited source, or a
corpus passage, states it), ``contradicted`` (a source says otherwise; the evidence is that
sentence) and ``not_found`` (nothing checked states it — silence, not disagreement).
``finding`` says it in words, naming where the verifier looked.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from medcite.errors import IndexNotReady
from medcite.ingest.chunk import chunk_document
from medcite.text.terms import jaccard, stem_set
from medcite.verify.answers import HEURISTIC_NOTE, statement_conflict
from medcite.verify.base import (
    CONTRADICTED,
    LABELS,
    NOT_FOUND,
    OUTCOMES,
    PARTIAL,
    TextPassage,
    Verdict,
    Verifier,
)
from medcite.verify.conflicts import find_conflicts
from medcite.verify.parse import ParsedReference, ParsedStatement, parse_answer

if TYPE_CHECKING:
    from medcite.config import Settings
    from medcite.corpus.store import CorpusStore
    from medcite.models import Hit


class Engine(Protocol):
    """What checking needs of :class:`medcite.service.Engine`: its corpus, search and verifier."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> CorpusStore: ...

    @property
    def verifier(self) -> Verifier: ...

    def search(self, query: str, *, k: int | None = None, priors: bool = True) -> list[Hit]: ...


SEARCH_K = 5  # passages searched for an uncited statement
TITLE_MATCH = 0.75  # word-stem Jaccard for a reference title to name a corpus document
TITLE_SEARCH_K = 20  # passages searched for a reference title


@dataclass(slots=True)
class _Source:
    """A reference resolved to passages, or the reason it could not be."""

    n: int
    passages: list[TextPassage] = field(default_factory=list)
    doc_id: str | None = None
    problem: str | None = None


def verify_external(engine: Engine, text: str, *, fmt: str = "auto") -> dict[str, Any]:
    """Verify every statement of ``text`` (see the module docstring for the result)."""
    started = time.perf_counter()
    parsed = parse_answer(text, fmt)
    sources = {n: _resolve(engine, ref) for n, ref in parsed.references.items()}
    numbers = {p.passage_id: s.n for s in sources.values() for p in s.passages}
    results, conflicts = [], []
    for statement in parsed.statements:
        verdict, result = _verify_statement(engine, statement, sources)
        results.append(result)
        if verdict.label == "contradicted" and result["checked_against"] == "citations":
            conflicts.append(
                statement_conflict(statement.text, statement.citations, verdict, numbers)
            )
    cited = [(s.n, p) for s in sources.values() for p in s.passages]
    conflicts = find_conflicts(cited, engine.verifier.drugs) + conflicts
    return {
        "format": parsed.format,
        "statements": results,
        "conflicts": conflicts,
        "references": [
            {"n": s.n, "doc_id": s.doc_id, "resolved": s.problem is None, "problem": s.problem}
            for s in sources.values()
        ],
        "unlisted_citations": parsed.unlisted,
        "skipped_lines": parsed.skipped,
        "notes": _notes(parsed.unlisted, results),
        "summary": {label: sum(r["label"] == label for r in results) for label in LABELS},
        "outcomes": {name: sum(r["outcome"] == name for r in results) for name in OUTCOMES},
        "verifier": {**engine.verifier.describe(), "note": HEURISTIC_NOTE},
        "timings_ms": {"verify": round((time.perf_counter() - started) * 1000, 1)},
    }


def _notes(unlisted: list[int], results: list[dict[str, Any]]) -> list[str]:
    notes = []
    if unlisted:
        shown = ", ".join(map(str, unlisted[:10]))
        notes.append(
            f"The text cites sources it does not list (numbers {shown}, no reference list): "
            "those statements were checked against the corpus instead."
        )
    if any(r["outcome"] == NOT_FOUND for r in results):
        notes.append(
            "not_found means nothing checked states it (the cited source, or the best corpus "
            "passages): the corpus is silent, which is not the same as a source saying "
            "otherwise (contradicted)."
        )
    return notes


def _verify_statement(
    engine: Engine, statement: ParsedStatement, sources: dict[int, _Source]
) -> tuple[Verdict, dict[str, Any]]:
    reasons: list[str] = []
    passages: list[TextPassage] = []
    if statement.citations:
        for n in statement.citations:
            source = sources.get(n)
            if source is None:
                reasons.append(f"citation [{n}] has no entry in the reference list")
            elif source.problem:
                reasons.append(f"citation [{n}]: {source.problem}")
            else:
                passages += source.passages
    checked_against = "citations"
    if not passages:
        checked_against = "corpus"
        passages = list(_search(engine, statement.text))
        what = "uncited" if not statement.citations else "no cited source found in the corpus"
        reasons.append(
            f"{what}: checked against the {len(passages)} best corpus passages instead"
            if passages
            else f"{what}, and the corpus has nothing to check it against"
        )
    verdict = engine.verifier.verify(statement.text, passages)
    by_id = {p.passage_id: p.doc_id for p in passages}
    spans = (verdict.contradicting or verdict.supporting)[:3]
    return verdict, {
        "id": statement.id,
        "text": statement.text,
        "label": verdict.label,
        "outcome": verdict.outcome,
        "finding": _finding(verdict, checked_against, by_id),
        "score": round(verdict.score, 4),
        "citations": list(statement.citations),
        "checked_against": checked_against,
        "evidence": [
            {
                "doc_id": by_id.get(span.passage_id),
                "passage_id": span.passage_id,
                "quote": span.quote,
                "score": round(span.score, 4),
            }
            for span in spans
        ],
        "reasons": reasons + verdict.reasons,
    }


def _finding(verdict: Verdict, checked_against: str, doc_ids: dict[str, str]) -> str:
    """The outcome in words, naming where the verifier looked."""
    where = "the cited source" if checked_against == "citations" else "the corpus"
    if verdict.label == CONTRADICTED and verdict.contradicting:
        doc = doc_ids.get(verdict.contradicting[0].passage_id) or "a source"
        return f"contradicted by {doc}: {verdict.contradicting[0].quote}"
    if verdict.outcome == NOT_FOUND:
        return f"not found in {where}"
    partly = "partly " if verdict.label == PARTIAL else ""
    return f"{partly}supported by {where}"


def _resolve(engine: Engine, ref: ParsedReference) -> _Source:
    """The passages a reference stands for: the text it carries, else its corpus document."""
    carried = ref.passages or ([(ref.passage_id or f"ref{ref.n}", ref.text)] if ref.text else [])
    if carried:
        return _Source(
            ref.n, [TextPassage(text, pid, ref.doc_id or "") for pid, text in carried], ref.doc_id
        )
    docs = []
    if ref.doc_id:
        docs = [d for d in [engine.store.document(ref.doc_id)] if d is not None]
    if not docs and ref.pmid:
        docs = [d for d in [engine.store.document(f"pmid:{ref.pmid}")] if d is not None]
    if not docs and ref.title:
        docs = _by_title(engine, ref.title)
    if not docs:
        what = f"PMID {ref.pmid}" if ref.pmid else repr(ref.title or ref.raw)
        return _Source(ref.n, problem=f"{what} is not in the corpus")
    chunking = engine.settings.chunk
    passages = [
        TextPassage(p.text, p.passage_id, p.doc_id)
        for doc in docs
        for p in chunk_document(doc, max_words=chunking.max_words, min_words=chunking.min_words)
    ]
    return _Source(ref.n, passages, docs[0].doc_id)


def _by_title(engine: Engine, title: str) -> list[Any]:
    """The corpus documents a reference title names: every one with the best-matching title
    (pages of one site often share a title, "What are the treatments for Gout?")."""
    wanted = stem_set(title)
    try:
        hits = engine.search(title, k=TITLE_SEARCH_K, priors=False)
    except IndexNotReady:
        return []
    scored = [(jaccard(wanted, stem_set(h.document.title)), h.document) for h in hits]
    best = max((score for score, _ in scored), default=0.0)
    if best < TITLE_MATCH:
        return []
    return list({d.doc_id: d for score, d in scored if score == best}.values())


def _search(engine: Engine, statement: str) -> Sequence[TextPassage]:
    try:
        hits = engine.search(statement, k=SEARCH_K)
    except IndexNotReady:
        return []
    return [TextPassage(h.passage.text, h.passage.passage_id, h.document.doc_id) for h in hits]

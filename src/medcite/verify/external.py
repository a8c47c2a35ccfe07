"""Checking an answer produced elsewhere against the corpus: resolve its references to corpus
documents (by the passage text it carries, PMID or title), verify each statement against what
it cites, or against a corpus search when it cites nothing.

    report = verify_external(engine, Path("answer.md").read_text())
    report["statements"][0]["label"]     # "contradicted"

The report is the ``medcite verify --format json`` shape::

    {"statements": [{"id", "text", "label", "citations",
                     "evidence": [{"doc_id", "passage_id", "quote", "score"}], "reasons"}],
     "conflicts": [{"summary", "references", "kind"}], "references": [...],
     "summary": {label: count}, "verifier": {..., "heuristic": true}}
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
from medcite.verify.base import LABELS, TextPassage, Verdict
from medcite.verify.conflicts import find_conflicts
from medcite.verify.parse import ParsedReference, ParsedStatement, parse_answer

if TYPE_CHECKING:
    from medcite.config import Settings
    from medcite.corpus.store import CorpusStore
    from medcite.models import Hit
    from medcite.verify.heuristic import HeuristicVerifier


class Engine(Protocol):
    """What checking needs of :class:`medcite.service.Engine`: its corpus, search and verifier."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> CorpusStore: ...

    @property
    def verifier(self) -> HeuristicVerifier: ...

    def search(self, query: str, *, k: int | None = None, priors: bool = True) -> list[Hit]: ...


SEARCH_K = 5  # passages searched for an uncited statement
TITLE_MATCH = 0.75  # word-stem Jaccard for a reference title to name a corpus document


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
        "summary": {label: sum(r["label"] == label for r in results) for label in LABELS},
        "verifier": {**engine.verifier.describe(), "note": HEURISTIC_NOTE},
        "timings_ms": {"verify": round((time.perf_counter() - started) * 1000, 1)},
    }


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
        checked_against = "search"
        passages = list(_search(engine, statement.text))
        what = "uncited" if not statement.citations else "no citation found in the corpus"
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


def _resolve(engine: Engine, ref: ParsedReference) -> _Source:
    """The passages a reference stands for: the text it carries, else its corpus document."""
    if ref.text:
        return _Source(
            ref.n,
            [TextPassage(ref.text, ref.passage_id or f"ref{ref.n}", ref.doc_id or "")],
            ref.doc_id,
        )
    doc = None
    if ref.doc_id:
        doc = engine.store.document(ref.doc_id)
    if doc is None and ref.pmid:
        doc = engine.store.document(f"pmid:{ref.pmid}")
    if doc is None and ref.title:
        doc = _by_title(engine, ref.title)
    if doc is None:
        what = f"PMID {ref.pmid}" if ref.pmid else repr(ref.title or ref.raw)
        return _Source(ref.n, problem=f"{what} is not in the corpus")
    chunking = engine.settings.chunk
    passages = chunk_document(doc, max_words=chunking.max_words, min_words=chunking.min_words)
    return _Source(
        ref.n, [TextPassage(p.text, p.passage_id, p.doc_id) for p in passages], doc.doc_id
    )


def _by_title(engine: Engine, title: str) -> Any:
    wanted = stem_set(title)
    try:
        hits = engine.search(title, k=SEARCH_K, priors=False)
    except IndexNotReady:
        return None
    best = max(hits, key=lambda h: jaccard(wanted, stem_set(h.document.title)), default=None)
    if best is not None and jaccard(wanted, stem_set(best.document.title)) >= TITLE_MATCH:
        return best.document
    return None


def _search(engine: Engine, statement: str) -> Sequence[TextPassage]:
    try:
        hits = engine.search(statement, k=SEARCH_K)
    except IndexNotReady:
        return []
    return [TextPassage(h.passage.text, h.passage.passage_id, h.document.doc_id) for h in hits]

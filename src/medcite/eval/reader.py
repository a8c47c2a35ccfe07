"""Measuring the reader: follow-up rewriting, related questions, readability per audience.

- ``followups``: each item is a thread (``history``), a follow-up ``question`` and what it
  should become: ``expected_intent``, phrases the rewrite ``must_include`` / ``must_exclude``
  (case-insensitive), an ``expected_rewrite`` (exact match is reported, not required) and,
  where the corpus has them, ``expected_docs``. Retrieval Recall@10 (share of expected
  documents among the documents of the top 10 passages, retrieved as ``Engine.answer`` does:
  the query fused with ``QuestionReading.also``) is compared for three queries: the follow-up
  alone (``no_context``), the previous question and the follow-up concatenated (``concat``),
  and the rewrite (``rewrite``).
- ``related``: per question, how many related questions, the share that has corpus evidence
  (``has_evidence`` on their own BM25 top 3: the selection criterion itself, so a check of
  the code path) and the share ``Engine.answer`` answers without "insufficient evidence" (an
  independent check), their diversity (mean pairwise cosine of stem
  sets; lower is more diverse) with MMR and with relevance alone (λ = 1), and the time.
- ``readability``: Flesch-Kincaid grade of the same questions' answers per audience.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from medcite.eval.jsonl import read_jsonl
from medcite.eval.report import EvalResult
from medcite.question.reading import QuestionReading
from medcite.reader.related import has_evidence
from medcite.text.terms import content_stems, cosine

K = 10


def load_jsonl(path: Path, required: Sequence[str]) -> list[dict[str, Any]]:
    """Records of ``path``; a bad line raises with its file and line number."""

    def with_required(item: Any) -> dict[str, Any]:
        if not isinstance(item, dict):
            raise ValueError("a record is a JSON object")
        missing = [f for f in required if f not in item]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        return item

    return read_jsonl(path, with_required)


def rewrite_correct(item: dict[str, Any], query: str, intent: str) -> bool:
    """Right intent, every required phrase and no excluded one."""
    text = query.lower()
    return (
        intent == item["expected_intent"]
        and all(p.lower() in text for p in item.get("must_include", []))
        and not any(p.lower() in text for p in item.get("must_exclude", []))
    )


def evaluate_followups(engine: Any, items: list[dict[str, Any]]) -> EvalResult:
    per_item = []
    for item in items:
        reading = engine.read_question(item["question"], item["history"])
        readings = {
            "no_context": engine.read_question(item["question"]),
            "concat": engine.read_question(f"{item['history'][-1]} {item['question']}"),
            "rewrite": reading,
        }
        answering = reading.answering
        row: dict[str, Any] = {
            "id": item["id"],
            "kind": item.get("kind"),
            "rewrite": answering,
            "intent": reading.intent,
            "correct": rewrite_correct(item, answering, reading.intent),
            "exact": answering.lower() == item.get("expected_rewrite", "").lower(),
        }
        expected = set(item.get("expected_docs", []))
        if expected:
            for system, read in readings.items():
                docs = {h.document.doc_id for h in _retrieve(engine, read)}
                row[f"recall@{K}:{system}"] = len(docs & expected) / len(expected)
                row[f"hit@{K}:{system}"] = float(bool(docs & expected))
        per_item.append(row)
    return EvalResult("reader-followups", "followups", _followup_systems(per_item), per_item)


def _followup_systems(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    with_docs = [r for r in rows if f"recall@{K}:rewrite" in r]
    systems: dict[str, dict[str, float]] = {}
    for system in ("no_context", "concat", "rewrite"):
        systems[system] = {
            f"recall@{K}": _mean([r[f"recall@{K}:{system}"] for r in with_docs]),
            f"hit@{K}": _mean([r[f"hit@{K}:{system}"] for r in with_docs]),
        }
    systems["rewrite"].update(
        rewrite_accuracy=_mean([float(r["correct"]) for r in rows]),
        exact_match=_mean([float(r["exact"]) for r in rows]),
        items=float(len(rows)),
        items_with_docs=float(len(with_docs)),
    )
    return systems


def evaluate_related(engine: Any, questions: list[str], n: int = 8) -> EvalResult:
    """Related-question usefulness with MMR (the engine's λ) and with relevance alone."""
    engine.related_questions("warm up the index", 1)
    relevance_only = engine.related.with_lambda(1.0)
    per_item = []
    for question in questions:
        started = time.perf_counter()
        chosen = engine.related_questions(question, n)
        elapsed = (time.perf_counter() - started) * 1000
        plain = relevance_only.find(question, n)
        per_item.append(
            {
                "question": question,
                "related": chosen,
                "count": len(chosen),
                "with_evidence": _mean([float(_evidence(engine, q)) for q in chosen]),
                "answered": _mean(
                    [float(not engine.answer(q, live=True).insufficient_evidence) for q in chosen]
                ),
                "similarity_mmr": mean_pairwise_similarity(chosen),
                "similarity_relevance_only": mean_pairwise_similarity(plain),
                "ms": round(elapsed, 1),
            }
        )
    systems = {
        f"mmr_lambda={engine.settings.reader.mmr_lambda}": {
            "mean_count": _mean([r["count"] for r in per_item]),
            "share_5_to_10": _mean([float(5 <= r["count"] <= 10) for r in per_item]),
            "share_with_evidence": _mean([r["with_evidence"] for r in per_item if r["count"]]),
            "share_answered": _mean([r["answered"] for r in per_item if r["count"]]),
            "mean_pairwise_similarity": _mean([r["similarity_mmr"] for r in per_item]),
            "mean_ms": _mean([r["ms"] for r in per_item]),
        },
        "relevance_only (lambda=1)": {
            "mean_pairwise_similarity": _mean([r["similarity_relevance_only"] for r in per_item]),
        },
    }
    return EvalResult("reader-related", "questions", systems, per_item)


def evaluate_readability(
    engine: Any, questions: list[str], audiences: Sequence[str] = ("clinician", "patient")
) -> EvalResult:
    per_item = []
    for question in questions:
        row: dict[str, Any] = {"question": question}
        for audience in audiences:
            answer = engine.answer(question, audience=audience, live=True)
            row[audience] = answer.engine["readability"]["fk_grade"]
            row[f"{audience}_statements"] = 1 + sum(len(s.statements) for s in answer.sections)
            row[f"{audience}_insufficient"] = answer.insufficient_evidence
            row[f"{audience}_ms"] = answer.engine["timings_ms"]
        per_item.append(row)
    answered = [r for r in per_item if all(r[a] is not None for a in audiences)]
    systems = {
        audience: {
            "mean_fk_grade": _mean([r[audience] for r in answered]),
            "share_grade_le_8": _mean([float(r[audience] <= 8) for r in answered]),
            "mean_statements": _mean([r[f"{audience}_statements"] for r in answered]),
            "mean_compose_ms": _mean([r[f"{audience}_ms"]["compose"] for r in per_item]),
            "mean_related_ms": _mean([r[f"{audience}_ms"]["related"] for r in per_item]),
            "mean_total_ms": _mean([r[f"{audience}_ms"]["total"] for r in per_item]),
            "questions": float(len(answered)),
        }
        for audience in audiences
    }
    return EvalResult("reader-readability", "questions", systems, per_item)


def mean_pairwise_similarity(questions: Sequence[str]) -> float:
    """Mean cosine similarity of the stem sets of every pair (0 with fewer than two)."""
    stems = [frozenset(content_stems(q)) for q in questions]
    pairs = list(combinations(stems, 2))
    return _mean([cosine(a, b) for a, b in pairs])


def _retrieve(engine: Any, reading: QuestionReading) -> list[Any]:
    """What ``Engine.answer`` retrieves for a reading (its query and one per aspect)."""
    return engine.retriever.search(reading.query, k=K, also=reading.also)


def _evidence(engine: Any, question: str) -> bool:
    return has_evidence(question, engine.search(question, k=3, mode="bm25", priors=False))


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0

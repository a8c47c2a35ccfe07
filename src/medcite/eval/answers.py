"""Answer quality over a question set: sections, share of supported statements, ALCE-style
citation recall and precision, expected facts covered, answer and verification latency.

    questions = load_questions(Path("eval/questions.jsonl"))
    result = evaluate_answers(engine, questions)
    result.systems["extractive"]["citation_recall"]

Definitions (following ALCE, Gao et al. 2023, with medcite's verifier as the judge):

- citation recall: share of cited statements whose citations together support them
  (verifier label "supported");
- citation precision: share of citations that, alone, support or partly support their
  statement (label "supported" or "partial": a partial citation still carries part of the
  claim, as ALCE counts a citation that is needed); ``citation_precision_strict`` counts only
  "supported";
- fact recall: share of ``expected_facts`` whose words all appear in the answer text.

Questions the corpus cannot answer (``insufficient_evidence``) are counted, not scored.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medcite.eval.report import EvalResult
from medcite.progress import ProgressFn
from medcite.text.terms import content_stems

if TYPE_CHECKING:
    from medcite.service import Engine

SYSTEM = "extractive"


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    expected_facts: tuple[str, ...] = field(default_factory=tuple)


def load_questions(path: Path) -> list[Question]:
    """JSONL of ``{"id", "question", "expected_facts"?}``; a bad line names its number."""
    questions = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                questions.append(
                    Question(
                        str(row["id"]), str(row["question"]), tuple(row.get("expected_facts", []))
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}: line {number}: {exc!r}") from exc
    return questions


def score_answer(answer: dict[str, Any], expected_facts: Sequence[str] = ()) -> dict[str, Any]:
    """The per-question scores of one answer dict (the answer.schema.json shape)."""
    statements = [answer["bottom_line"]] + [
        s for section in answer["sections"] for s in section["statements"]
    ]
    cited = [s for s in statements if s["citations"]]
    evidence = [e for s in cited for e in s.get("evidence", [])]
    labels = [s.get("label") for s in cited]
    text_stems = set(content_stems(" ".join(s["text"] for s in statements)))
    facts = [f for f in expected_facts if set(content_stems(f)) <= text_stems]
    return {
        "sections": len(answer["sections"]),
        "section_titles": [s["title"] for s in answer["sections"]],
        "statements": len(statements),
        "cited_statements": len(cited),
        "supported_share": _share(labels, {"supported"}),
        "citation_recall": _share(labels, {"supported"}),
        "citations": len(evidence),
        "citation_precision": _share([e.get("label") for e in evidence], {"supported", "partial"}),
        "citation_precision_strict": _share([e.get("label") for e in evidence], {"supported"}),
        "fact_recall": len(facts) / len(expected_facts) if expected_facts else None,
        "missing_facts": [f for f in expected_facts if f not in facts],
        "flagged": [
            {"text": s["text"], "label": s.get("label"), "reasons": s.get("reasons", [])}
            for s in cited
            if s.get("label") != "supported"
        ],
        "conflicts": [c["summary"] for c in answer["conflicts"]],
        "insufficient_evidence": bool(answer.get("insufficient_evidence")),
    }


def evaluate_answers(
    engine: Engine, questions: Sequence[Question], progress: ProgressFn | None = None
) -> EvalResult:
    """Ask every question, score every answer; aggregate over the answered ones."""
    per_item = []
    for done, question in enumerate(questions):
        if progress:
            progress("answers", done, len(questions))
        started = time.perf_counter()
        answer = engine.ask(question.question).to_dict()
        latency = (time.perf_counter() - started) * 1000
        scores = score_answer(answer, question.expected_facts)
        timings = answer["engine"].get("timings_ms", {})
        scores |= {
            "id": question.id,
            "question": question.question,
            "intent": answer.get("intent"),
            "latency_ms": round(latency, 1),
            "verify_ms": timings.get("verify"),
        }
        per_item.append(scores)
    if progress:
        progress("answers", len(questions), len(questions))
    return EvalResult("answers", "questions", {SYSTEM: aggregate(per_item)}, per_item)


def aggregate(per_item: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Means over answered questions; latencies as p50/p95 over all of them."""
    answered = [item for item in per_item if not item["insufficient_evidence"]]
    latency = [item["latency_ms"] for item in per_item]
    verify = [item["verify_ms"] for item in per_item if item["verify_ms"] is not None]
    facts = [item["fact_recall"] for item in answered if item["fact_recall"] is not None]
    summary = {
        "questions": float(len(per_item)),
        "answered": float(len(answered)),
        "sections_mean": _mean([item["sections"] for item in answered]),
        "statements_mean": _mean([item["statements"] for item in answered]),
        "conflicts_mean": _mean([len(item["conflicts"]) for item in answered]),
        "fact_recall": _mean(facts),
        "latency_ms_p50": _percentile(latency, 50),
        "latency_ms_p95": _percentile(latency, 95),
        "verify_ms_p50": _percentile(verify, 50),
        "verify_ms_p95": _percentile(verify, 95),
    }
    # Micro-averaged over statements / citations, as ALCE reports them.
    for key, count in (
        ("supported_share", "cited_statements"),
        ("citation_recall", "cited_statements"),
        ("citation_precision", "citations"),
        ("citation_precision_strict", "citations"),
    ):
        total = sum(item[count] for item in answered)
        hits = sum((item[key] or 0) * item[count] for item in answered)
        summary[key] = hits / total if total else 0.0
    return summary


def markdown_report(result: EvalResult) -> str:
    """A readable per-question report under the aggregate table."""
    summary = result.systems[SYSTEM]
    lines = ["## answers: per question", ""]
    lines += [
        f"{int(summary['answered'])}/{int(summary['questions'])} answered; citation recall "
        f"{summary['citation_recall']:.3f}, citation precision {summary['citation_precision']:.3f} "
        f"(strict {summary['citation_precision_strict']:.3f}); verify p50 "
        f"{summary['verify_ms_p50']:.1f} ms, answer p50 {summary['latency_ms_p50']:.1f} ms. "
        "Labels are heuristic (medcite's verifier).",
        "",
    ]
    for item in result.per_item:
        lines.append(f"### {item['id']}: {item['question']}")
        lines.append("")
        if item["insufficient_evidence"]:
            lines += ["Insufficient evidence in the corpus: no answer composed.", ""]
            continue
        facts = "–" if item["fact_recall"] is None else f"{item['fact_recall']:.2f}"
        lines.append(
            f"- intent {item['intent']}; {item['sections']} sections "
            f"({', '.join(item['section_titles'])}); {item['statements']} statements"
        )
        lines.append(
            f"- supported {_pct(item['supported_share'])}, citation recall "
            f"{_pct(item['citation_recall'])}, precision {_pct(item['citation_precision'])}; "
            f"facts {facts}; {item['latency_ms']:.0f} ms (verify {item['verify_ms']} ms)"
        )
        for flagged in item["flagged"]:
            lines.append(
                f"- **{flagged['label']}**: {flagged['text']} — {'; '.join(flagged['reasons'])}"
            )
        for conflict in item["conflicts"]:
            lines.append(f"- conflict: {conflict}")
        if item["missing_facts"]:
            lines.append(f"- missing expected facts: {', '.join(item['missing_facts'])}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _share(values: Sequence[Any], good: set[str]) -> float | None:
    return sum(v in good for v in values) / len(values) if values else None


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _percentile(values: Sequence[float], pct: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"

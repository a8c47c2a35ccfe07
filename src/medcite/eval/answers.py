"""Answer quality over a question set, measured two ways.

    questions = load_question_set(Path("eval/answers"), "dev")
    result = evaluate_answers(engine, questions)
    result.systems["dev"]["key_fact_recall"]

**What a clinician sees** (:mod:`medcite.eval.answer_metrics`, no verifier as judge), for
the clinician set (``eval/answers``): key-fact recall, expected source cited, topic-lock rate,
topic read right, abstention on unanswerable questions, dangling antecedents, section fit,
aspect coverage and warm ``ask`` latency (one untimed question first; beside it, as the
same-run reference, a BM25 search of the same question), aggregated per split
(``systems[split]``).

**What medcite's own verifier says** (following ALCE, Gao et al. 2023), kept for comparison:

- citation recall: share of cited statements whose citations together support them
  (verifier label "supported");
- citation precision: share of citations that, alone, support or partly support their
  statement (label "supported" or "partial": a partial citation still carries part of the
  claim, as ALCE counts a citation that is needed); ``citation_precision_strict`` counts only
  "supported";
- fact recall: share of ``expected_facts`` whose words all appear in the answer text (the
  original ``eval/questions.jsonl`` set; the original set is aggregated as ``extractive``).

Questions the corpus cannot answer (``insufficient_evidence``) are counted, not scored, by
the verifier metrics.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from medcite.eval import answer_metrics as metrics
from medcite.eval.answer_questions import Question
from medcite.eval.report import EvalResult
from medcite.progress import ProgressFn
from medcite.text.terms import content_stems

if TYPE_CHECKING:
    from medcite.service import Engine

SYSTEM = "extractive"


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


def clinician_scores(answer: dict[str, Any], question: Question) -> dict[str, Any]:
    """The clinician-set scores of one answer (see :mod:`medcite.eval.answer_metrics`)."""
    shown = metrics.shown_statements(answer)
    off_topic = metrics.off_topic_statements(answer, question.topic_terms)
    dangling = [(s, metrics.dangling(s.text)) for s in shown]
    fits = [(s, metrics.fits_section(s, answer, question.topic_terms)) for s in shown]
    recall, missed = metrics.key_fact_recall(answer, question.key_facts)
    coverage = metrics.aspect_coverage(answer, question.aspects)
    return {
        "split": question.split,
        "answerable": question.answerable,
        "source": question.source,
        "audience": question.audience,
        "key_fact_recall": recall if question.answerable else None,
        "missed_facts": [fact[0] for fact in missed] if question.answerable else [],
        "expected_source_cited": (
            metrics.expected_source_cited(answer, question.expected_documents)
            if question.answerable
            else None
        ),
        "off_topic_statements": len(off_topic),
        "topic_lock": metrics.topic_lock_rate(answer, question.topic_terms),
        "topic_read": metrics.topic_read(answer, question.topic_terms),
        "says_insufficient": metrics.says_insufficient(answer),
        "abstained": metrics.abstained(answer),
        "names_missing": metrics.names_missing(answer, question.missing_terms),
        "dangling_statements": sum(1 for _, word in dangling if word),
        "section_checked": sum(1 for _, fit in fits if fit is not None),
        "section_misfits": sum(1 for _, fit in fits if fit is False),
        "aspects_covered": sum(coverage.values()),
        "aspects_asked": len(coverage),
        "aspects_missing": [aspect for aspect, covered in coverage.items() if not covered],
        "shown": [
            {
                "section": s.section,
                "title": s.title,
                "text": s.text,
                "citations": list(s.citations),
                "doc_ids": list(s.doc_ids),
                "passage_ids": list(s.passage_ids),
                "on_topic": metrics.on_topic(s, answer, question.topic_terms),
                "dangling": word,
                "section_fit": fit,
                "scaffolding": metrics.scaffolding(s.text),
            }
            for (s, word), (_, fit) in zip(dangling, fits, strict=True)
        ],
    }


def evaluate_answers(
    engine: Engine, questions: Sequence[Question], progress: ProgressFn | None = None
) -> EvalResult:
    """Ask every question (after one untimed warm-up), score every answer; aggregate the
    original set as ``extractive`` and the clinician set per split."""
    if questions:  # caches, lazy indexes and the related-questions model load here, untimed
        engine.answer(questions[0].question, audience=questions[0].audience, live=True)
    per_item = []
    for done, question in enumerate(questions):
        if progress:
            progress("answers", done, len(questions))
        started = time.perf_counter()
        answer = engine.answer(question.question, audience=question.audience, live=True).to_dict()
        latency = (time.perf_counter() - started) * 1000
        started = time.perf_counter()  # the same-run reference: BM25 search alone
        engine.search(question.question, k=10, mode="bm25")
        search_ms = (time.perf_counter() - started) * 1000
        scores = score_answer(answer, question.expected_facts)
        if question.split:
            scores |= clinician_scores(answer, question)
        timings = answer["engine"].get("timings_ms", {})
        scores |= {
            "id": question.id,
            "question": question.question,
            "intent": answer.get("intent"),
            "search_mode": answer["engine"].get("search_mode"),
            "latency_ms": round(latency, 1),
            "search_ms": round(search_ms, 2),
            "verify_ms": timings.get("verify"),
        }
        per_item.append(scores)
    if progress:
        progress("answers", len(questions), len(questions))
    splits = sorted({item["split"] for item in per_item if item.get("split")})
    if not splits:
        return EvalResult("answers", "questions", {SYSTEM: aggregate(per_item)}, per_item)
    systems: dict[str, dict[str, Any]] = {
        s: aggregate_clinician([i for i in per_item if i["split"] == s]) for s in splits
    }
    if len(splits) > 1:
        systems["all"] = aggregate_clinician(per_item)
    modes = "+".join(sorted({str(item["search_mode"]) for item in per_item}))
    return EvalResult("answers", f"answers-{'-'.join(splits)}-{modes}", systems, per_item)


def aggregate_clinician(per_item: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Shares over the clinician set: per question for recall, sources and abstention,
    per statement (micro) for topic lock, dangling antecedents and section fit; None where
    nothing was there to count (no unanswerable question, no statement in a judged section)."""
    answerable = [i for i in per_item if i["answerable"]]
    unanswerable = [i for i in per_item if not i["answerable"]]
    statements = [s for i in per_item for s in i["shown"]]
    cited = [s for i in answerable for s in i["shown"] if s["citations"]]
    checked = [s for s in statements if s["section_fit"] is not None]
    named = [i["names_missing"] for i in unanswerable]
    named_part = [i["names_missing"] for i in answerable if i["names_missing"] is not None]
    latency = [i["latency_ms"] for i in per_item]
    search = [i["search_ms"] for i in per_item]
    return {
        "questions": float(len(per_item)),
        "answerable": float(len(answerable)),
        "unanswerable": float(len(unanswerable)),
        "key_fact_recall": _average([i["key_fact_recall"] for i in answerable]),
        "expected_source_cited": _average([float(i["expected_source_cited"]) for i in answerable]),
        "topic_lock": _share_true([s["on_topic"] for s in cited]),
        "topic_read": _average([float(i["topic_read"]) for i in answerable]),
        "answered_abstained": _average([float(i["says_insufficient"]) for i in answerable]),
        "abstention": _average([float(i["abstained"]) for i in unanswerable]),
        "unrelated_statements_unanswerable": _average(
            [float(i["off_topic_statements"]) for i in unanswerable]
        ),
        "names_missing": _average([float(v) for v in named]),
        "names_missing_part": _average([float(v) for v in named_part]),
        "dangling_share": _share_true([bool(s["dangling"]) for s in statements]),
        "scaffolding_share": _share_true([s["scaffolding"] for s in statements]),
        "section_fit": _share_true([bool(s["section_fit"]) for s in checked]),
        "aspect_coverage": _ratio(
            sum(i["aspects_covered"] for i in answerable),
            sum(i["aspects_asked"] for i in answerable),
        ),
        "statements_mean": _average([float(len(i["shown"])) for i in answerable]),
        "latency_ms_p50": _percentile(latency, 50),
        "latency_ms_p95": _percentile(latency, 95),
        "search_ms_p50": _percentile(search, 50),
        "latency_over_search_p50": _ratio(_percentile(latency, 50), _percentile(search, 50)),
    }


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


CLINICIAN_METRICS = (
    "questions",
    "key_fact_recall",
    "expected_source_cited",
    "topic_lock",
    "abstention",
    "unrelated_statements_unanswerable",
    "answered_abstained",
    "names_missing",
    "names_missing_part",
    "dangling_share",
    "scaffolding_share",
    "section_fit",
    "aspect_coverage",
    "statements_mean",
    "latency_ms_p50",
    "latency_ms_p95",
    "search_ms_p50",
    "latency_over_search_p50",
)


def text_table(result: EvalResult) -> str:
    """Metrics down, splits across: the table ``medcite eval answers`` prints."""
    splits = list(result.systems)
    width = max(len(m) for m in CLINICIAN_METRICS)
    lines = [f"{'metric':<{width}}  " + "  ".join(f"{s:>8}" for s in splits)]
    for metric in CLINICIAN_METRICS:
        cells = [result.systems[s].get(metric) for s in splits]
        lines.append(f"{metric:<{width}}  " + "  ".join(_cell(v) for v in cells))
    return "\n".join(lines) + "\n"


def clinician_report(result: EvalResult) -> str:
    """Per question: what was missed, off topic, dangling or misplaced, for reading."""
    lines = ["## answers: per question (clinician set)", "", "```", text_table(result), "```", ""]
    for item in result.per_item:
        kind = "answerable" if item["answerable"] else "unanswerable"
        lines += [f"### {item['id']} ({item['split']}, {item['source']}, {kind})", ""]
        lines.append(f"*{item['question']}* — intent {item['intent']}, {item['latency_ms']:.0f} ms")
        lines.append("")
        if item["answerable"]:
            lines.append(
                f"- key facts {_pct(item['key_fact_recall'])}"
                + (f" (missed: {', '.join(item['missed_facts'])})" if item["missed_facts"] else "")
                + f"; expected source cited: {'yes' if item['expected_source_cited'] else 'no'}"
                + f"; topic lock {_pct(item['topic_lock'])}"
            )
        else:
            lines.append(
                f"- abstained: {'yes' if item['abstained'] else 'no'}; unrelated statements: "
                f"{item['off_topic_statements']}; names what is missing: {item['names_missing']}"
            )
        if item["aspects_missing"]:
            lines.append(f"- aspects without a section: {', '.join(item['aspects_missing'])}")
        for shown in item["shown"]:
            flags = [
                "off topic" if shown["on_topic"] is False else "",
                f"dangling ({shown['dangling']})" if shown["dangling"] else "",
                "misplaced" if shown["section_fit"] is False else "",
                "scaffolding" if shown["scaffolding"] else "",
            ]
            if any(flags):
                where = shown["title"] or "bottom line"
                flagged = ", ".join(f for f in flags if f)
                lines.append(f"- [{where}] **{flagged}**: {shown['text'][:160]}")
        lines.append("")
    return "\n".join(lines) + "\n"


def _cell(value: float | None) -> str:
    if value is None:
        return f"{'–':>8}"
    return f"{value:>8.1f}" if abs(value) >= 10 else f"{value:>8.3f}"


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else 0.0


def _average(values: Sequence[float | None]) -> float | None:
    return statistics.fmean(values) if values else None  # type: ignore[arg-type]


def _share_true(values: Sequence[bool | None]) -> float | None:
    return _ratio(sum(1 for v in values if v), len(values))


def _ratio(hits: float, total: float) -> float | None:
    return hits / total if total else None


def _percentile(values: Sequence[float], pct: int) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"

"""The extractive and the LLM composer side by side, on the same questions in the same run.

    python -m medcite.eval.bench.composers --home ~/.local/share/medcite \\
        --llm-url http://127.0.0.1:8080/v1 --out bench-out/composers.json

For every question both composers answer through ``Engine.ask`` (same retrieval, same
verifier). Per composer it reports:

* **kept**: generated statements that survived verification / generated (LLM only);
* **citation recall**: statements whose cited passages, taken together, support them
  (verifier label supported or partial) / statements with citations;
* **citation precision**: citations whose passage alone supports its statement / citations;
* **fallbacks**: answers the extractive composer wrote because the LLM failed;
* latency p50/p95 per stage (``engine.timings_ms``) and tokens per answer.

Support is judged by medcite's heuristic verifier, so these are the verifier's numbers, not a
clinician's; the extractive composer's statements are verbatim source sentences and its
precision is the verifier's ceiling on this corpus.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from medcite.config import Settings
from medcite.service import Engine

QUESTIONS = [
    "What are the treatment options for multiple sclerosis?",
    "What are the symptoms of multiple sclerosis?",
    "What causes multiple sclerosis?",
    "How is gout treated?",
    "What are the side effects of metformin?",
    "How is type 2 diabetes diagnosed?",
    "What is the outlook for amyotrophic lateral sclerosis?",
    "How can osteoporosis be prevented?",
    "What is hypertension?",
    "What are the treatments for Parkinson's disease?",
    "What causes asthma?",
    "What are the symptoms of Lyme disease?",
    "How is tuberculosis treated?",
    "What is the prognosis of pancreatic cancer?",
    "What are the risk factors for stroke?",
    "How is celiac disease diagnosed?",
    "What is psoriasis?",
    "How is migraine treated?",
    "Is vitamin D deficiency associated with depression?",
    "What are the complications of chronic kidney disease?",
]
GOOD = frozenset({"supported", "partial"})


def measure(engine: Engine, composer: str, questions: list[str]) -> dict[str, Any]:
    """Answer every question with ``composer``; aggregate the numbers described above."""
    answers = []
    for question in questions:
        started = time.perf_counter()
        answer = engine.ask(question, composer=composer).to_dict()
        answer["engine"]["timings_ms"]["wall"] = (time.perf_counter() - started) * 1000
        answers.append(answer)
    statements = [
        s
        for a in answers
        if not a["insufficient_evidence"]
        for s in [a["bottom_line"], *(s for sec in a["sections"] for s in sec["statements"])]
        if s["citations"]
    ]
    citations = [e for s in statements for e in s["evidence"]]
    counts = [a["engine"].get("statements") for a in answers if a["engine"].get("statements")]
    generated = sum(c["generated"] for c in counts)
    return {
        "composer": composer,
        "questions": len(questions),
        "fallbacks": sum("fallback" in a["engine"] for a in answers),
        "statements": len(statements),
        "generated": generated or None,
        "kept_share": _share(sum(c["kept"] for c in counts), generated),
        "citation_recall": _share(sum(s.get("label") in GOOD for s in statements), len(statements)),
        "citation_precision": _share(
            sum(e.get("label") in GOOD for e in citations), len(citations)
        ),
        "latency_ms": _latencies(answers),
        "completion_tokens_p50": _p50(
            [
                a["engine"]["tokens"]["completion_tokens"]
                for a in answers
                if a["engine"].get("tokens")
            ]
        ),
        "fallback_reasons": sorted(
            {a["engine"]["fallback"]["reason"] for a in answers if "fallback" in a["engine"]}
        ),
    }


def _latencies(answers: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    stages = ("retrieve", "generate", "verify", "total", "wall")
    found: dict[str, dict[str, float]] = {}
    for stage in stages:
        values = [
            a["engine"]["timings_ms"][stage] for a in answers if stage in a["engine"]["timings_ms"]
        ]
        if values:
            found[stage] = {"p50": round(_p50(values) or 0, 1), "p95": round(_p95(values), 1)}
    return found


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _p50(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


HEADER = (
    "composer",
    "answers (fallbacks)",
    "statements",
    "kept after verification",
    "citation precision",
    "citation recall",
    "generate p50",
    "verify p50",
    "total p50 / p95",
    "tokens out p50",
)


def markdown(results: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|---|" + "---:|" * (len(HEADER) - 1)]
    for r in results:
        lat = r["latency_ms"]
        cells = [
            r["composer"],
            f"{r['questions']} ({r['fallbacks']})",
            str(r["statements"]),
            f"{r['kept_share']:.3f} of {r['generated']}" if r["generated"] else "—",
            _fmt(r["citation_precision"]),
            _fmt(r["citation_recall"]),
            _ms(lat.get("generate")),
            _ms(lat.get("verify")),
            f"{_ms(lat.get('total'))} / {lat['total']['p95']:.0f} ms",
            str(r["completion_tokens_p50"] or "—"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _ms(stage: dict[str, float] | None) -> str:
    return "—" if stage is None else f"{stage['p50']:.0f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="An indexed data directory.")
    parser.add_argument("--llm-url", required=True, help="OpenAI-compatible base URL (…/v1).")
    parser.add_argument("--model", default="default")
    parser.add_argument("--limit", type=int, default=len(QUESTIONS))
    parser.add_argument("--out", type=Path, help="Write every number as JSON here.")
    args = parser.parse_args(argv)
    settings = Settings(home=args.home, llm={"base_url": args.llm_url, "model": args.model})
    questions = QUESTIONS[: args.limit]
    with Engine(settings) as engine:
        engine.ask(questions[0], composer="extractive")  # warm the index and verifier
        results = [measure(engine, name, questions) for name in ("extractive", "llm")]
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {"settings": settings.llm.model_dump(mode="json"), "results": results}, indent=2
            )
        )
    print(markdown(results))
    for r in results:
        for reason in r["fallback_reasons"]:
            print(f"{r['composer']} fallback: {reason}")


if __name__ == "__main__":
    main()

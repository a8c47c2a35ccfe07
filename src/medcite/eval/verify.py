"""Claim-verification quality: the heuristic verifier against the "lexical overlap only"
baseline, side by side on three sets: medcite's generated pairs (``eval/verify/pairs.jsonl``),
SciFact dev claims (external) and the statements written by hand from the demo corpus
(``eval/verify/demo-statements.jsonl``, its dev and test halves reported apart).

    items = load_pairs(Path("eval/verify/pairs.jsonl"))
    result = evaluate("pairs", items, systems(embedder=None))
    result.systems["heuristic"]["flagged_precision"]

Scores per system: precision/recall/F1 per label, accuracy, macro-F1 over the labels present
in the gold set, "flagged" precision/recall/F1 (flagged = unsupported or contradicted), the
share of true statements kept supported, and per-statement latency p50/p95; plus a confusion
matrix (gold row × predicted column) in ``per_item["confusion"]``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medcite.eval.report import EvalResult
from medcite.index.base import Embedder
from medcite.verify.base import FLAGGED, LABELS, SUPPORTED, UNSUPPORTED, TextPassage
from medcite.verify.heuristic import HeuristicVerifier, lexical_baseline_label

BASELINE = "overlap"
RULES_ONLY = "rules-only"
System = Callable[[str, Sequence[TextPassage]], str]
_SCIFACT_LABELS = {"SUPPORT": "supported", "CONTRADICT": "contradicted"}
# The hand-written set says "not_found" (the cited source does not state it): the verifier's
# "unsupported".
_DEMO_LABELS = {"supported": "supported", "contradicted": "contradicted", "not_found": UNSUPPORTED}
DEMO_SPLITS = ("dev", "test")


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    kind: str
    statement: str
    passages: tuple[TextPassage, ...]
    gold: str


def load_pairs(path: Path) -> list[Item]:
    """Our labelled set (see :mod:`medcite.eval.verify_pairs`)."""
    items = []
    with path.open(encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            passage = TextPassage(row["passage"], row["id"], row["source"])
            items.append(Item(row["id"], row["kind"], row["statement"], (passage,), row["label"]))
    return items


def load_scifact(folder: Path, split: str = "dev") -> list[Item]:
    """SciFact claims with the abstracts they cite: SUPPORT → supported, CONTRADICT →
    contradicted; a NOT-ENOUGH-INFO claim against each abstract it cites → unsupported."""
    corpus = {}
    with (folder / "corpus.jsonl").open(encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            corpus[str(row["_id"])] = f"{row['title']}. {row['text']}"
    items = []
    with (folder / f"claims_{split}.jsonl").open(encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            evidence = row.get("evidence") or {}
            docs = list(evidence) if evidence else [str(d) for d in row["cited_doc_ids"]]
            for doc in docs:
                if doc not in corpus:
                    continue
                gold = _SCIFACT_LABELS[evidence[doc][0]["label"]] if evidence else "unsupported"
                kind = "nei" if not evidence else gold
                passage = TextPassage(corpus[doc], f"scifact:{doc}", f"scifact:{doc}")
                items.append(Item(f"{row['id']}-{doc}", kind, row["claim"], (passage,), gold))
    return items


def load_demo_statements(path: Path, shared_data: Path) -> dict[str, list[Item]]:
    """The hand-written statements by split, each checked against every passage of the
    document it was written from, chunked as ``medcite ingest`` chunks it."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    passages = document_passages(shared_data, {row["doc_id"] for row in rows})
    missing = sorted({row["doc_id"] for row in rows} - set(passages))
    if missing:
        raise ValueError(f"{path}: documents not in {shared_data}: {', '.join(missing[:5])}")
    split: dict[str, list[Item]] = {name: [] for name in DEMO_SPLITS}
    for row in rows:
        gold = _DEMO_LABELS[row["label"]]
        item = Item(row["id"], row["kind"], row["statement"], passages[row["doc_id"]], gold)
        split[row["split"]].append(item)
    return split


def document_passages(shared_data: Path, doc_ids: set[str]) -> dict[str, tuple[TextPassage, ...]]:
    """Every passage of each MedQuAD or PubMedQA document named, chunked as ingested."""
    from medcite.config import Settings
    from medcite.ingest.chunk import chunk_document
    from medcite.models import Document
    from medcite.sources.medquad import read_medquad
    from medcite.sources.pubmedqa import read_pubmedqa

    chunking = Settings().chunk
    found = {}
    readers = (
        (read_medquad, shared_data / "medquad" / "medquad.jsonl"),
        (read_pubmedqa, shared_data / "pubmedqa" / "corpus.jsonl"),
    )
    for reader, file in readers:
        for doc in reader(file):
            if isinstance(doc, Document) and doc.doc_id in doc_ids:
                chunks = chunk_document(
                    doc, max_words=chunking.max_words, min_words=chunking.min_words
                )
                found[doc.doc_id] = tuple(
                    TextPassage(p.text, p.passage_id, p.doc_id) for p in chunks
                )
    return found


def systems(embedder: Embedder | None = None) -> dict[str, System]:
    """The verifier (lexical, and with embeddings when given), its rules without the learned
    model (what the model must beat) and the overlap baseline."""
    found: dict[str, System] = {
        "heuristic": HeuristicVerifier().verify_label,
        RULES_ONLY: HeuristicVerifier(learned=False).verify_label,
    }
    if embedder is not None:
        found["heuristic+minilm"] = HeuristicVerifier(embedder=embedder).verify_label
    found[BASELINE] = lexical_baseline_label
    return found


def evaluate(dataset: str, items: Sequence[Item], chosen: dict[str, System]) -> EvalResult:
    """Scores of every system on ``items``, one ``EvalResult`` (meta is filled on writing)."""
    scores: dict[str, dict[str, float]] = {}
    confusion: dict[str, dict[str, dict[str, int]]] = {}
    predictions: dict[str, list[str]] = {}
    for name, system in chosen.items():
        predicted, took_ms = [], []
        for item in items:
            started = time.perf_counter()
            predicted.append(system(item.statement, item.passages))
            took_ms.append((time.perf_counter() - started) * 1000)
        predictions[name] = predicted
        gold = [item.gold for item in items]
        scores[name] = {
            **label_scores(gold, predicted),
            "ms_per_item": float(np.mean(took_ms)),
            "p50_ms": float(np.percentile(took_ms, 50)),
            "p95_ms": float(np.percentile(took_ms, 95)),
        }
        confusion[name] = confusion_matrix(gold, predicted)
    per_item = {
        "confusion": confusion,
        "items": [
            {"id": item.id, "kind": item.kind, "gold": item.gold}
            | {name: predictions[name][i] for name in chosen}
            for i, item in enumerate(items)
        ],
        "by_kind": _by_kind(items, predictions),
    }
    return EvalResult("verify", dataset, scores, per_item)


def label_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Per-label P/R/F1, accuracy, macro-F1 (labels present in gold) and flagged P/R/F1."""
    scores: dict[str, float] = {"items": float(len(gold))}
    present = [label for label in LABELS if label in gold]
    for label in LABELS:
        p, r, f = _prf([g == label for g in gold], [p == label for p in predicted])
        scores.update({f"{label}_p": p, f"{label}_r": r, f"{label}_f1": f})
    scores["accuracy"] = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    scores["macro_f1"] = sum(scores[f"{label}_f1"] for label in present) / len(present)
    p, r, f = _prf([g in FLAGGED for g in gold], [p in FLAGGED for p in predicted])
    scores.update({"flagged_precision": p, "flagged_recall": r, "flagged_f1": f})
    kept = [p == SUPPORTED for g, p in zip(gold, predicted, strict=True) if g == SUPPORTED]
    scores["kept_supported"] = sum(kept) / len(kept) if kept else 0.0
    return scores


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    matrix = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    for g, p in zip(gold, predicted, strict=True):
        matrix[g][p] += 1
    return matrix


def _prf(gold: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float, float]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    precision = tp / sum(predicted) if any(predicted) else 0.0
    recall = tp / sum(gold) if any(gold) else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _by_kind(items: Sequence[Item], predictions: dict[str, list[str]]) -> dict[str, Any]:
    """Accuracy per kind of edit (or of true statement) and system: which errors each system
    catches."""
    kinds: dict[str, dict[str, float]] = {}
    for kind in dict.fromkeys(item.kind for item in items):
        index = [i for i, item in enumerate(items) if item.kind == kind]
        kinds[kind] = {
            name: sum(predicted[i] == items[i].gold for i in index) / len(index)
            for name, predicted in predictions.items()
        }
    return kinds


def markdown_report(result: EvalResult) -> str:
    """Per-label and flagged scores, accuracy by kind, and confusion matrices."""
    lines = [f"## verify: {result.dataset}", ""]
    metrics = [
        "accuracy",
        "macro_f1",
        "flagged_precision",
        "flagged_recall",
        "flagged_f1",
        "kept_supported",
    ]
    lines += _table(
        ["system", *metrics],
        [[name, *(f"{scores[m]:.3f}" for m in metrics)] for name, scores in result.systems.items()],
    )
    lines += ["", "Per label (precision / recall / F1):", ""]
    lines += _table(
        ["system", *LABELS],
        [
            [
                name,
                *(
                    f"{s[f'{label}_p']:.2f} / {s[f'{label}_r']:.2f} / {s[f'{label}_f1']:.2f}"
                    for label in LABELS
                ),
            ]
            for name, s in result.systems.items()
        ],
    )
    by_kind = result.per_item["by_kind"]
    names = list(result.systems)
    lines += ["", "Accuracy by kind:", ""]
    lines += _table(
        ["kind", *names],
        [[kind, *(f"{acc[name]:.2f}" for name in names)] for kind, acc in by_kind.items()],
    )
    for name, matrix in result.per_item["confusion"].items():
        lines += ["", f"Confusion ({name}; rows gold, columns predicted):", ""]
        lines += _table(
            ["gold \\ predicted", *LABELS],
            [
                [gold, *(str(row[p]) for p in LABELS)]
                for gold, row in matrix.items()
                if any(row.values())
            ],
        )
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


SUMMARY_METRICS = ("flagged_precision", "flagged_recall", "kept_supported", "macro_f1", "p50_ms")


def summary_table(results: Sequence[EvalResult]) -> str:
    """Every set beside every system of the same run: the numbers the targets are set in."""
    lines = ["## verify: all sets, one run", ""]
    rows = [
        [result.dataset, name, f"{scores['items']:.0f}"]
        + [f"{scores[m]:.3f}" if m != "p50_ms" else f"{scores[m]:.1f}" for m in SUMMARY_METRICS]
        for result in results
        for name, scores in result.systems.items()
    ]
    lines += _table(["set", "system", "items", *SUMMARY_METRICS], rows)
    return "\n".join(lines) + "\n"


def run(
    pairs: Path,
    scifact: Path | None,
    out_dir: Path,
    embedder: Embedder | None = None,
    demo: tuple[Path, Path] | None = None,
) -> list[tuple[EvalResult, Path]]:
    """Evaluate on every set; write each with the shared writer (+ the detailed Markdown).

    ``demo`` is (the hand-written statements, the shared data folder they were written from).
    """
    from medcite.eval.report import run_meta, write_result

    datasets = [("pairs", load_pairs(pairs))]
    if scifact is not None:
        datasets.append(("scifact-dev", load_scifact(scifact)))
    if demo is not None:
        by_split = load_demo_statements(*demo)
        datasets += [(f"demo-{split}", items) for split, items in by_split.items()]
    written = []
    for name, items in datasets:
        result = evaluate(name, items, systems(embedder))
        result.meta = run_meta(None, embedder=getattr(embedder, "model_id", None))
        _, md_path = write_result(result, out_dir)
        md_path.write_text(md_path.read_text() + "\n" + markdown_report(result))
        written.append((result, md_path))
    summary = summary_table([result for result, _ in written])
    (out_dir / "verify-summary.md").write_text(summary, encoding="utf-8")
    return written

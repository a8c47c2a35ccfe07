"""Claim-verification quality: the heuristic verifier against the "lexical overlap only"
baseline, on medcite's generated set (``eval/verify/pairs.jsonl``) and on SciFact claims.

    items = load_pairs(Path("eval/verify/pairs.jsonl"))
    result = evaluate("pairs", items, systems(embedder=None))
    result.systems["heuristic"]["flagged_precision"]

Scores per system: precision/recall/F1 per label, accuracy, macro-F1 over the labels present
in the gold set, and "flagged" precision/recall/F1 (flagged = unsupported or contradicted),
plus a confusion matrix (gold row × predicted column) in ``per_item["confusion"]``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcite.eval.report import EvalResult
from medcite.index.base import Embedder
from medcite.verify.base import FLAGGED, LABELS, TextPassage
from medcite.verify.heuristic import HeuristicVerifier, lexical_baseline_label

BASELINE = "overlap"
System = Callable[[str, Sequence[TextPassage]], str]
_SCIFACT_LABELS = {"SUPPORT": "supported", "CONTRADICT": "contradicted"}


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


def systems(embedder: Embedder | None = None) -> dict[str, System]:
    """The verifier (lexical, and with embeddings when given) and the overlap baseline."""
    found: dict[str, System] = {"heuristic": HeuristicVerifier().verify_label}
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
        started = time.perf_counter()
        predicted = [system(item.statement, item.passages) for item in items]
        elapsed = time.perf_counter() - started
        predictions[name] = predicted
        gold = [item.gold for item in items]
        scores[name] = {**label_scores(gold, predicted), "ms_per_item": elapsed * 1000 / len(items)}
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
    """Accuracy per kind of edit and system: which errors each system catches."""
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
    metrics = ["accuracy", "macro_f1", "flagged_precision", "flagged_recall", "flagged_f1"]
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


def run(
    pairs: Path, scifact: Path | None, out_dir: Path, embedder: Embedder | None = None
) -> list[tuple[EvalResult, Path]]:
    """Evaluate on both sets; write each with the shared writer (+ the detailed Markdown)."""
    from medcite.eval.report import run_meta, write_result

    datasets = [("pairs", load_pairs(pairs))]
    if scifact is not None:
        datasets.append(("scifact-dev", load_scifact(scifact)))
    written = []
    for name, items in datasets:
        result = evaluate(name, items, systems(embedder))
        result.meta = run_meta(None, embedder=getattr(embedder, "model_id", None))
        _, md_path = write_result(result, out_dir)
        md_path.write_text(md_path.read_text() + "\n" + markdown_report(result))
        written.append((result, md_path))
    return written

"""Trains the learned part of verification (:mod:`medcite.verify.learned`) and writes it to
``src/medcite/verify/support_model.json``.

    python -m medcite.eval.verify_training --data ../shared/data

Training data, never an evaluation set: SciFact *train* claims against the abstracts they
cite, and demo-corpus sentences edited by :mod:`medcite.eval.verify_pairs` (more of them than
the evaluation file holds, from no document the evaluation pairs use). Only the statements the
rules leave partial or unsupported by alignment alone are the model's to decide; it learns,
from those, which are supported. Deterministic (full-batch gradient descent, no sampling),
seconds on one core. Fivefold cross-validation on SciFact train chooses the threshold the
model lifts each label at (partial, unsupported), and the scores it prints say whether it beats
the rules.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from medcite.eval import verify_pairs
from medcite.eval.verify import Item, label_scores, load_scifact
from medcite.verify.base import SUPPORTED, TextPassage
from medcite.verify.heuristic import HeuristicVerifier
from medcite.verify.learned import FEATURES, LIFTED, MODEL_FILE, SupportModel

NAME = "support-lr-2"
GENERATED_PER_KIND = 120
L2 = 0.01
STEPS = 4000
RATE = 0.5
FOLDS = 5
THRESHOLDS = tuple(round(0.3 + 0.05 * k, 2) for k in range(9))  # 0.30 … 0.70


def generated_items(data: Path, evaluation_pairs: Path) -> list[Item]:
    """Edited corpus sentences from documents the evaluation pairs do not use."""
    used = {json.loads(line)["source"] for line in evaluation_pairs.open(encoding="utf-8")}
    return [
        Item(p.id, p.kind, p.statement, (TextPassage(p.passage, p.id, p.source),), p.label)
        for p in verify_pairs.build(data, GENERATED_PER_KIND)
        if p.source not in used
    ]


Row = tuple[dict[str, float], bool]  # the model's inputs, and whether the gold is supported


def undecided_rows(items: Sequence[Item], rules: HeuristicVerifier) -> list[Row | None]:
    """Per item, its inputs and gold when the rules leave it to the model, else None."""
    rows: list[Row | None] = []
    for item in items:
        _, undecided = rules.assess(item.statement, item.passages, embeddings=False)
        rows.append(None if undecided is None else (undecided.signals, item.gold == SUPPORTED))
    return rows


def fit(rows: Sequence[Row], name: str = NAME, trained_on: dict | None = None) -> SupportModel:
    """L2-regularised logistic regression on standardised inputs."""
    x = np.array([[inputs[f] for f in FEATURES] for inputs, _ in rows])
    y = np.array([gold for _, gold in rows], dtype=float)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        w -= RATE * (z.T @ (p - y) / len(y) + L2 * np.r_[0.0, w[1:]])
    return SupportModel(
        weights={f: round(float(v), 6) for f, v in zip(FEATURES, w[1:], strict=True)},
        mean={f: round(float(v), 6) for f, v in zip(FEATURES, mean, strict=True)},
        scale={f: round(float(v), 6) for f, v in zip(FEATURES, scale, strict=True)},
        bias=round(float(w[0]), 6),
        trained_on={"name": name, **(trained_on or {})},
    )


def out_of_fold(rows: Sequence[Row | None], extra: Sequence[Row]) -> list[float | None]:
    """Per item, P(supported) from a model that did not see it (folds by position; ``extra``
    rows are always trained on); None where the rules decide."""
    probabilities: list[float | None] = [None] * len(rows)
    for fold in range(FOLDS):
        train = [r for i, r in enumerate(rows) if r is not None and i % FOLDS != fold]
        model = fit([*train, *extra])
        for i, row in enumerate(rows):
            if i % FOLDS == fold and row is not None:
                probabilities[i] = model.probability(row[0])
    return probabilities


def cross_validated(
    items: Sequence[Item],
    rows: Sequence[Row | None],
    extra: Sequence[Row],
    rules: HeuristicVerifier,
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The thresholds chosen on out-of-fold predictions (:func:`chosen_thresholds`: lifting
    must not make the flags that remain less precise than the rules'), and the scores of
    the rules alone and of rules + model at each pair of thresholds tried (``@P/U``: the
    partial's, the unsupported's), rounded to three decimals as recorded: closer differences
    are noise, and the shipped thresholds must follow from what the file records."""
    gold = [item.gold for item in items]
    alone = [rules.verify_label(item.statement, item.passages) for item in items]
    probabilities = out_of_fold(rows, extra)
    scores = {"rules": label_scores(gold, alone)}
    for partial_at in THRESHOLDS:
        for unsupported_at in THRESHOLDS:
            at = dict(zip(LIFTED, (partial_at, unsupported_at), strict=True))
            lifted = [
                SUPPORTED if p is not None and p >= at[label] else label
                for label, p in zip(alone, probabilities, strict=True)
            ]
            name = f"rules+learned@{partial_at:.2f}/{unsupported_at:.2f}"
            scores[name] = label_scores(gold, lifted)
    recorded = {
        system: {m: round(s[m], 3) for m in ("macro_f1", "kept_supported", "flagged_precision")}
        for system, s in scores.items()
    }
    return chosen_thresholds(recorded), recorded


def chosen_thresholds(scores: dict[str, dict[str, float]]) -> dict[str, float]:
    """The best macro-F1 among the threshold pairs scored (``rules+learned@P/U``) whose
    flagged precision is no lower than the rules' alone; ties go to the higher unsupported
    threshold (fewer flags lifted), then the higher partial one, and with none eligible, the
    highest pair (the model lifting least)."""
    floor = scores["rules"]["flagged_precision"]
    tried = {
        tuple(float(t) for t in name.split("@")[1].split("/")): s
        for name, s in scores.items()
        if name.startswith("rules+")
    }
    eligible = [t for t, s in tried.items() if s["flagged_precision"] >= floor]
    best = (
        max(eligible, key=lambda t: (tried[t]["macro_f1"], t[1], t[0]))
        if eligible
        else max(tried, key=lambda t: (t[1], t[0]))
    )
    return dict(zip(LIFTED, best, strict=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--pairs", type=Path, default=Path("eval/verify/pairs.jsonl"))
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    rules = HeuristicVerifier(learned=False)
    scifact = load_scifact(args.data / "scifact", "train")
    generated = generated_items(args.data, args.pairs)
    scifact_rows = undecided_rows(scifact, rules)
    generated_rows = [r for r in undecided_rows(generated, rules) if r is not None]
    rows = [r for r in scifact_rows if r is not None] + generated_rows
    thresholds, summary = cross_validated(scifact, scifact_rows, generated_rows, rules)
    model = replace(
        fit(
            rows,
            trained_on={
                "scifact_train_claims": len(scifact),
                "generated_pairs": len(generated),
                "undecided_rows": len(rows),
                "threshold_chosen_by": "scifact_train_cv",
                "scifact_train_cv": summary,
            },
        ),
        thresholds=thresholds,
    )
    model.save(args.out)
    print(json.dumps(summary, indent=1))
    print(f"thresholds {thresholds} (train CV)")
    print(f"{len(rows)} rows ({len(generated_rows)} generated); written to {args.out}")


if __name__ == "__main__":
    main()

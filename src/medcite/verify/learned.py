"""The learned part of verification: whether a statement the rules could only call *partial*
or *unsupported* by alignment is supported, from how it aligns. A logistic regression over
five alignment signals, trained offline on SciFact *train* claims and on demo-corpus
sentences edited in the error kinds the rules check (``python -m medcite.eval.verify_training``);
never on SciFact dev or the demo statements' test half.

    model = SupportModel.load()                # the weights shipped in support_model.json
    model.probability(signals)                 # P(supported) for one statement

It decides one thing only: whether a statement the rules left undecided is supported. A
statement whose best source sentence covers less than ``SUPPORTED_AT`` of its words, whose
claim sentence names every population, drug and number it names, and about which no rule
found anything, is "partial" or "unsupported" by threshold alone; summaries and paraphrases
("Adding bedtime insulin led to less weight gain", a claim condensing an abstract) land there
as often as statements the source only half says or does not say. The model tells them apart
by whether the words missing from the best sentence are elsewhere in the source, how much of
the statement that sentence holds alone, and how long the statement is; at the threshold for
the rules' label or more it lifts the label to supported, else the rules' label stands. The
thresholds are chosen by fivefold cross-validation on SciFact train (recorded in
``trained_on``), one per label: lifting a partial removes no flag, lifting an unsupported
does. A rule's finding, a
contradiction or a rule's flag is never undone, and the model never flags anything itself.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from medcite.verify.align import Aligned, Window
from medcite.verify.base import PARTIAL, UNSUPPORTED

MODEL_FILE = Path(__file__).with_name("support_model.json")
FEATURES: tuple[str, ...] = (
    "alignment",
    "claim_coverage",
    "document_coverage",
    "claim_is_pair",
    "log_words",
)

LIFTED = (PARTIAL, UNSUPPORTED)  # the labels the model may lift, each at its own threshold


def alignment_signals(
    needed: frozenset[str], best: Aligned, candidates: list[Window]
) -> dict[str, float]:
    """The model's inputs for a statement (its content stems ``needed``) whose best window
    is ``best`` among ``candidates``."""
    everywhere = frozenset().union(*(w.stems for w in candidates))
    return {
        "alignment": best.score,
        "claim_coverage": len(needed & best.claim.stems) / len(needed),
        "document_coverage": len(needed & everywhere) / len(needed),
        "claim_is_pair": float(bool(best.claim.sentences)),
        "log_words": math.log1p(len(needed)),
    }


@dataclass(frozen=True, slots=True)
class SupportModel:
    """Standardised logistic regression: P = σ(bias + Σ wᵢ·(xᵢ − meanᵢ)/scaleᵢ)."""

    weights: dict[str, float]
    mean: dict[str, float]
    scale: dict[str, float]
    bias: float
    # Per label the rules gave (partial, unsupported); the shipped file's are chosen by
    # cross-validation on SciFact train.
    thresholds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LIFTED, 0.5))
    trained_on: dict[str, Any] = field(default_factory=dict)

    def probability(self, signals: dict[str, float]) -> float:
        z = self.bias + sum(
            w * (signals[name] - self.mean[name]) / self.scale[name]
            for name, w in self.weights.items()
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def supports(self, signals: dict[str, float], label: str) -> tuple[bool, float]:
        """Whether the model calls a statement the rules labelled ``label`` supported, and
        its probability."""
        p = self.probability(signals)
        return p >= self.thresholds[label], p

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> SupportModel:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

"""Training the learned verification model: deterministic, and it learns what the rows say."""

from __future__ import annotations

from medcite.eval.verify_training import fit
from medcite.verify.learned import FEATURES


def _row(alignment: float, document: float, supported: bool) -> tuple[dict[str, float], bool]:
    signals = dict.fromkeys(FEATURES, 0.5) | {
        "alignment": alignment,
        "document_coverage": document,
    }
    return signals, supported


ROWS = [_row(0.5 + i / 100, 0.9 + i / 1000, True) for i in range(20)] + [
    _row(0.5 + i / 100, 0.4 + i / 1000, False) for i in range(20)
]


def test_fit_is_deterministic_and_learns_the_signal() -> None:
    model = fit(ROWS)
    assert fit(ROWS) == model
    assert model.weights["document_coverage"] > 0
    assert model.supports(ROWS[0][0])[0] and not model.supports(ROWS[-1][0])[0]

"""Training the learned verification model: deterministic, and it learns what the rows say."""

from __future__ import annotations

from medcite.eval.verify_training import chosen_thresholds, fit
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
    assert model.supports(ROWS[0][0], "partial")[0]
    assert not model.supports(ROWS[-1][0], "partial")[0]


def test_the_thresholds_are_the_best_macro_f1_that_keeps_the_flags_as_precise() -> None:
    def scores(macro_f1: float, flagged_precision: float) -> dict[str, float]:
        return {"macro_f1": macro_f1, "flagged_precision": flagged_precision}

    tried = {
        "rules": scores(0.46, 0.79),
        "rules+learned@0.30/0.30": scores(0.60, 0.75),  # best macro-F1, but less precise flags
        "rules+learned@0.30/0.40": scores(0.58, 0.80),
        "rules+learned@0.30/0.50": scores(0.58, 0.79),  # ties: the higher unsupported wins
        "rules+learned@0.40/0.40": scores(0.56, 0.80),
        "rules+learned@0.40/0.60": scores(0.52, 0.79),
    }
    assert chosen_thresholds(tried) == {"partial": 0.3, "unsupported": 0.5}
    worse = {name: scores(s["macro_f1"], 0.5) for name, s in tried.items() if name != "rules"}
    lifting_least = {"partial": 0.4, "unsupported": 0.6}
    assert chosen_thresholds({"rules": tried["rules"], **worse}) == lifting_least

"""`medcite eval verify`: scores computed right, both sets run, the committed set reproducible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.eval.verify import confusion_matrix, label_scores, load_scifact
from medcite.eval.verify_pairs import EDITS, build

PAIRS = Path(__file__).resolve().parents[2] / "eval" / "verify" / "pairs.jsonl"


def test_label_scores_by_hand() -> None:
    gold = ["supported", "supported", "contradicted", "unsupported"]
    predicted = ["supported", "contradicted", "contradicted", "supported"]
    scores = label_scores(gold, predicted)
    assert scores["supported_p"] == 0.5 and scores["supported_r"] == 0.5
    assert scores["contradicted_p"] == 0.5 and scores["contradicted_r"] == 1.0
    assert scores["accuracy"] == 0.5
    # flagged = unsupported or contradicted: predicted flags items 2, 3; gold flags 3, 4
    assert scores["flagged_precision"] == 0.5 and scores["flagged_recall"] == 0.5
    assert confusion_matrix(gold, predicted)["supported"]["contradicted"] == 1


def test_scifact_labels(shared_data: Path) -> None:
    items = load_scifact(shared_data / "scifact")
    labels = {item.gold for item in items}
    assert labels == {"supported", "contradicted", "unsupported"}
    assert len(items) >= 300


def test_eval_verify_cli_on_both_sets(tmp_path: Path, shared_data: Path) -> None:
    small = tmp_path / "pairs.jsonl"
    rows = PAIRS.read_text().splitlines()
    small.write_text("\n".join(rows[::10]) + "\n")
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "verify",
            "--pairs",
            str(small),
            "--scifact",
            str(shared_data / "scifact"),
            "--out",
            str(tmp_path / "out"),
            "--no-embed",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Confusion (overlap" in result.output
    written = json.loads((tmp_path / "out" / "verify-pairs.json").read_text())
    assert set(written) == {"eval", "dataset", "systems", "per_item", "meta"}
    assert {"heuristic", "overlap"} <= set(written["systems"])
    assert written["systems"]["heuristic"]["items"] == len(rows[::10])
    assert (tmp_path / "out" / "verify-scifact-dev.md").is_file()


@pytest.mark.slow
def test_committed_set_is_what_the_generator_builds(shared_data: Path) -> None:
    pairs = build(shared_data)
    committed = [json.loads(line) for line in PAIRS.read_text().splitlines()]
    assert [p.statement for p in pairs] == [row["statement"] for row in committed]
    assert len(pairs) >= 200
    kinds = {p.kind for p in pairs}
    assert set(EDITS) | {"exclusivity", "wrong_source"} == kinds
    for pair in pairs:
        assert pair.statement and pair.passage

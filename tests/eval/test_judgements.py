"""Judged shares add up from the rows, and a malformed judgement is refused by line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.eval.judgements import judged_shares, load_judgements


def row(question: str, label: str, misleading: bool = False) -> dict:
    return {
        "question_id": question,
        "split": "dev",
        "statement": "Colchicine is used.",
        "section": "Treatment options",
        "doc_ids": ["medquad:x"],
        "passage_ids": ["p1"],
        "label": label,
        "misleading": misleading,
        "reason": "names the drug asked about",
    }


def test_shares_count_labels_misleading_and_answers_with_irrelevant_statements() -> None:
    rows = [
        row("gout", "answers"),
        row("gout", "irrelevant", misleading=True),
        row("ms", "on_topic_not_question"),
        row("ms", "answers"),
    ]
    shares = judged_shares(rows)
    assert shares["questions"] == 2 and shares["statements"] == 4
    assert (shares["answers"], shares["on_topic_not_question"], shares["irrelevant"]) == (
        0.5,
        0.25,
        0.25,
    )
    assert shares["misleading"] == 0.25 and shares["answers_with_irrelevant"] == 0.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label": "useful"}, "label must be one of"),
        ({"misleading": "no"}, "misleading must be true or false"),
        ({"reason": " "}, "gives its reason"),
    ],
)
def test_a_bad_judgement_names_its_line(tmp_path: Path, change: dict, message: str) -> None:
    path = tmp_path / "j.jsonl"
    path.write_text(
        json.dumps(row("a", "answers")) + "\n" + json.dumps(row("b", "answers") | change)
    )
    with pytest.raises(ValueError, match=f"line 2: .*{message}"):
        load_judgements(path)


def test_the_judged_command_prints_shares_per_file_and_overall(tmp_path: Path) -> None:
    dev, test = tmp_path / "dev.jsonl", tmp_path / "test.jsonl"
    dev.write_text(json.dumps(row("a", "answers")) + "\n")
    absent = row("c", "irrelevant") | {"answerable": False}
    test.write_text(json.dumps(row("b", "irrelevant", misleading=True)) + "\n" + json.dumps(absent))
    result = CliRunner().invoke(app, ["eval", "judged", str(dev), str(test)])
    assert result.exit_code == 0, result.output
    lines = {line.split(": ")[0]: line for line in result.output.strip().splitlines()}
    assert lines["all"].startswith("all: questions 3, statements 3, answers 0.333")
    assert "misleading 0.333" in lines["all"]
    answerable = lines["all (answerable questions)"]
    assert "questions 2, statements 2, answers 0.500" in answerable

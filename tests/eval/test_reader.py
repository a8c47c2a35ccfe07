"""The reader's measurements on the fixture corpus, through `medcite eval ...`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.eval.jsonl import EvalDataError
from medcite.eval.reader import load_jsonl, rewrite_correct

PROJECT = Path(__file__).resolve().parents[2]
FOLLOWUPS = PROJECT / "eval" / "reader" / "followups.jsonl"


def test_the_shipped_followup_set_is_valid_and_large_enough() -> None:
    items = load_jsonl(FOLLOWUPS, ("id", "history", "question", "expected_intent"))
    assert len(items) >= 40
    assert len({i["id"] for i in items}) == len(items)
    assert sum(bool(i.get("expected_docs")) for i in items) >= 30
    kinds = {i["kind"] for i in items}
    assert {"carry", "replace", "topic_change", "population", "drug", "interaction"} <= kinds


def test_bad_lines_are_reported_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "a", "question": "q"}\nnot json\n')
    with pytest.raises(EvalDataError, match=r"bad.jsonl: line 1: missing history"):
        load_jsonl(path, ("id", "history", "question"))
    with pytest.raises(EvalDataError, match=r"line 2: not JSON"):
        load_jsonl(path, ("id",))


def test_rewrite_correct_needs_intent_includes_and_no_excludes() -> None:
    item = {"expected_intent": "treatment", "must_include": ["Gout"], "must_exclude": ["psoriasis"]}
    assert rewrite_correct(item, "treatment of gout", "treatment")
    assert not rewrite_correct(item, "treatment of gout", "dosing")
    assert not rewrite_correct(item, "treatment of psoriasis and gout", "treatment")


def test_eval_followups_writes_results_where_the_rewrite_beats_no_context(
    reader_settings, write_jsonl, tmp_path: Path
) -> None:
    data = write_jsonl(
        tmp_path / "f.jsonl",
        [
            {
                "id": "1",
                "history": ["What is multiple sclerosis?"],
                "question": "Is it inherited?",
                "expected_intent": "cause",
                "must_include": ["multiple sclerosis"],
                "expected_rewrite": "causes of multiple sclerosis",
                "expected_docs": ["medquad:3_GHR_QA/0000694-4"],
            },
            {
                "id": "2",
                "history": ["What is multiple sclerosis?"],
                "question": "Is it related to streptococcal infection?",
                "expected_intent": "evidence",
                "must_include": ["streptococcal", "multiple sclerosis"],
                "expected_docs": ["pmid:18049437"],
            },
        ],
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "followups",
            "--data",
            str(data),
            "--out",
            str(out),
            "--home",
            str(reader_settings.home),
        ],
    )
    assert result.exit_code == 0, result.output
    saved = json.loads((out / "reader-followups-followups.json").read_text())
    systems = saved["systems"]
    assert systems["rewrite"]["rewrite_accuracy"] == 1.0
    assert systems["rewrite"]["recall@10"] > systems["no_context"]["recall@10"]
    assert saved["meta"]["corpus_hash"]
    assert (out / "reader-followups-followups.md").is_file()


def test_eval_related_and_readability(reader_settings, write_jsonl, tmp_path: Path) -> None:
    questions = write_jsonl(
        tmp_path / "q.jsonl",
        [{"question": "What are the treatment options for multiple sclerosis?"}],
    )
    out = tmp_path / "out"
    home = ["--home", str(reader_settings.home), "--out", str(out)]
    runner = CliRunner()
    for command in ("related", "readability"):
        result = runner.invoke(app, ["eval", command, "--questions", str(questions), *home])
        assert result.exit_code == 0, result.output
    related = json.loads((out / "reader-related-questions.json").read_text())
    mmr = next(v for k, v in related["systems"].items() if k.startswith("mmr"))
    assert mmr["mean_count"] >= 5 and mmr["share_with_evidence"] == 1.0
    assert 0 < mmr["share_answered"] <= 1
    grades = json.loads((out / "reader-readability-questions.json").read_text())["systems"]
    assert grades["patient"]["mean_fk_grade"] < grades["clinician"]["mean_fk_grade"]

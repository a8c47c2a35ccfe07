"""`medcite eval answers` on the fixture corpus: metrics, report, and a bad questions file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medcite.cli import app
from medcite.eval.answers import score_answer


def test_score_answer_counts_statements_and_citations() -> None:
    def statement(text: str, label: str, evidence: list[str]) -> dict:
        return {
            "text": text,
            "citations": list(range(1, len(evidence) + 1)),
            "label": label,
            "evidence": [{"label": e} for e in evidence],
        }

    answer = {
        "bottom_line": statement("Colchicine treats gout flares.", "supported", ["supported"]),
        "sections": [
            {
                "title": "Options",
                "statements": [
                    statement("Allopurinol lowers urate.", "partial", ["partial", "unsupported"]),
                ],
            },
        ],
        "conflicts": [],
    }
    scores = score_answer(answer, ["colchicine", "febuxostat"])
    assert scores["citation_recall"] == 0.5
    assert scores["citation_precision"] == 2 / 3
    assert scores["citation_precision_strict"] == 1 / 3
    assert scores["fact_recall"] == 0.5 and scores["missing_facts"] == ["febuxostat"]


def test_eval_answers_cli(tmp_path: Path, built_home: Path, write_jsonl) -> None:
    questions = write_jsonl(
        tmp_path / "q.jsonl",
        [
            {"id": "ms", "question": "How is multiple sclerosis treated?"},
            {"id": "glaucoma", "question": "How is glaucoma treated?", "expected_facts": ["eye"]},
        ],
    )
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "answers",
            "--questions",
            str(questions),
            "--home",
            str(built_home),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "out" / "answers-questions.json").read_text())
    summary = written["systems"]["extractive"]
    assert summary["questions"] == 2
    assert 0 <= summary["citation_precision"] <= 1 and summary["verify_ms_p50"] >= 0
    assert [item["id"] for item in written["per_item"]] == ["ms", "glaucoma"]
    report = (tmp_path / "out" / "answers-questions.md").read_text()
    assert "### ms: How is multiple sclerosis treated?" in report


def test_bad_questions_file_is_one_line(tmp_path: Path, built_home: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n')
    result = CliRunner().invoke(
        app, ["eval", "answers", "--questions", str(bad), "--home", str(built_home)]
    )
    assert result.exit_code == 2 and "line 1" in result.output


def test_eval_answers_cli_scores_the_clinician_set_per_split(
    tmp_path: Path, built_home: Path, write_jsonl
) -> None:
    row = {
        "audience": "clinician",
        "source": "NINDS",
        "answerable": True,
        "aspects": ["treatment"],
        "expected_documents": ["medquad:6_NINDS_QA/0000202-2"],
        "key_facts": [["interferon"], ["no such drug name at all"]],
        "topic_terms": ["multiple sclerosis", "(?-i:MS)"],
    }
    absent = row | {
        "answerable": False,
        "expected_documents": [],
        "key_facts": [],
        "topic_terms": ["tirzepatide"],
        "missing": "nothing on tirzepatide",
        "missing_terms": [["tirzepatide"]],
    }
    for split in ("dev", "test"):
        (tmp_path / "set" / split).mkdir(parents=True)
        write_jsonl(
            tmp_path / "set" / split / "questions.jsonl",
            [
                row | {"id": f"ms-{split}", "split": split, "question": "How is MS treated?"},
                absent | {"id": f"tz-{split}", "split": split, "question": "Is tirzepatide safe?"},
            ],
        )
    result = CliRunner().invoke(
        app,
        ["eval", "answers", "--questions", str(tmp_path / "set"), "--split", "all"]
        + ["--home", str(built_home), "--out", str(tmp_path / "out")],
    )
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if line.startswith("metric"))
    assert header.split() == ["metric", "dev", "test", "all"]
    written = json.loads((tmp_path / "out" / "answers-dev-test-bm25.json").read_text())
    dev = written["systems"]["dev"]
    assert dev["questions"] == 2 and dev["answerable"] == 1 and dev["unanswerable"] == 1
    assert dev["key_fact_recall"] <= 0.5  # the made-up drug is never stated
    assert 0 <= dev["topic_lock"] <= 1 and dev["latency_ms_p50"] > 0
    items = {item["id"]: item for item in written["per_item"]}
    assert items["ms-dev"]["missed_facts"] == ["no such drug name at all"]
    assert all(s["text"] for s in items["ms-dev"]["shown"])
    report = (tmp_path / "out" / "answers-dev-test-bm25.md").read_text()
    assert "### tz-test (test, NINDS, unanswerable)" in report


def test_eval_answers_refuses_an_unknown_split(tmp_path: Path, built_home: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "x", "question": "How is gout treated?"}\n')
    result = CliRunner().invoke(
        app,
        ["eval", "answers", "--questions", str(questions), "--split", "train"]
        + ["--home", str(built_home)],
    )
    assert result.exit_code == 2 and "unknown split" in result.output

"""`medcite verify FILE` on real files against the fixture corpus."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medcite.cli import app

runner = CliRunner()
SUPPORTED = (
    "ADNase B levels in the patients with MS were found to be significantly higher than in "
    "the controls"
)
NEGATED = "ADNase B levels in the patients with MS were not higher than in the controls"


def run(tmp_path: Path, built_home: Path, name: str, content: str, *args: str) -> object:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return runner.invoke(app, ["verify", str(path), "--home", str(built_home), *args])


def test_markdown_with_pmid_references_json(tmp_path: Path, built_home: Path) -> None:
    markdown = (
        f"# Streptococcus and MS\n\n- {SUPPORTED} [1].\n- {NEGATED} [1].\n\n"
        "## References\n1. Streptococcal infection in MS. 2007. PMID: 18049437\n"
    )
    result = run(tmp_path, built_home, "answer.md", markdown, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    first, second = report["statements"]
    assert first["label"] == "supported" and first["citations"] == [1]
    assert first["evidence"][0]["doc_id"] == "pmid:18049437"
    assert second["label"] == "contradicted"
    assert report["references"][0]["resolved"] is True
    assert report["verifier"]["heuristic"] is True


def test_text_report_and_jsonl_statements(tmp_path: Path, built_home: Path) -> None:
    lines = [{"id": "s1", "statement": SUPPORTED + "."}, {"id": "s2", "statement": NEGATED}]
    content = "\n".join(json.dumps(line) for line in lines)
    result = run(tmp_path, built_home, "claims.jsonl", content)
    assert result.exit_code == 0, result.output
    assert "SUPPORTED" in result.output and "CONTRADICTED" in result.output
    assert "heuristic" in result.output
    as_json = json.loads(run(tmp_path, built_home, "c.jsonl", content, "--format", "json").output)
    assert [s["id"] for s in as_json["statements"]] == ["s1", "s2"]
    assert all(s["checked_against"] == "corpus" for s in as_json["statements"])
    assert as_json["outcomes"] == {"supported": 1, "contradicted": 1, "not_found": 0}


def test_our_own_answer_json_round_trips(tmp_path: Path, built_home: Path) -> None:
    asked = runner.invoke(
        app,
        [
            "ask",
            "How is multiple sclerosis treated?",
            "--home",
            str(built_home),
            "--format",
            "json",
        ],
    )
    assert asked.exit_code == 0, asked.output
    result = run(tmp_path, built_home, "answer.json", asked.output, "--format", "json")
    report = json.loads(result.output)
    assert report["format"] == "json"
    cited = [s for s in report["statements"] if s["citations"]]
    assert cited and all(s["label"] == "supported" for s in cited)


def test_bad_input_is_one_line_exit_2(tmp_path: Path, built_home: Path) -> None:
    result = run(tmp_path, built_home, "bad.jsonl", '{"id": 1}\n{"id": 2}\n', "--input", "jsonl")
    assert result.exit_code == 2
    assert "line 1" in result.output
    missing = runner.invoke(app, ["verify", str(tmp_path / "nope.md")])
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_an_outside_page_lists_only_statements_and_says_what_is_not_found(
    tmp_path: Path, built_home: Path
) -> None:
    page = (Path(__file__).parent / "data" / "oracle_style_ms.txt").read_text(encoding="utf-8")
    result = run(tmp_path, built_home, "oracle.txt", page, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["statements"]) == 8
    assert report["unlisted_citations"] == [1, 2, 3, 4, 5]
    assert any("does not list" in note for note in report["notes"])
    by_start = {s["text"].split()[0]: s for s in report["statements"]}
    assert all(s["checked_against"] == "corpus" for s in report["statements"])
    assert by_start["Mitoxantrone"]["outcome"] == "supported"
    survival = by_start["Progression-free"]
    assert survival["outcome"] == "not_found" and survival["finding"] == "not found in the corpus"
    assert sum(report["outcomes"].values()) == 8
    text = run(tmp_path, built_home, "oracle2.txt", page)
    assert "NOT FOUND" in text.output and "does not list" in text.output
    assert "Personalize" not in text.output


def test_our_own_markdown_round_trips_with_no_false_labels(
    tmp_path: Path, built_home: Path
) -> None:
    asked = runner.invoke(
        app,
        [
            "ask",
            "How is multiple sclerosis treated?",
            "--home",
            str(built_home),
            "--format",
            "markdown",
        ],
    )
    assert asked.exit_code == 0, asked.output
    result = run(tmp_path, built_home, "answer.md", asked.output, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    texts = [s["text"] for s in report["statements"]]
    assert "How is multiple sclerosis treated?" not in texts
    assert not any(t.startswith(("The cited evidence", "Evidence currency")) for t in texts)
    assert all(r["resolved"] for r in report["references"]), report["references"]
    assert all(s["citations"] and s["checked_against"] == "citations" for s in report["statements"])
    assert all(s["outcome"] == "supported" for s in report["statements"]), [
        (s["text"], s["reasons"]) for s in report["statements"] if s["outcome"] != "supported"
    ]

"""The CLI on real files, through typer's runner (same process, real engine)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from medcite.cli import app

runner = CliRunner()


def test_every_command_has_help() -> None:
    for command in ["demo", "ingest", "index", "search", "ask", "status"]:
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage" in result.output


def test_ingest_search_ask_json(
    tmp_path: Path, fixture_corpus: list[Path], answer_schema: dict
) -> None:
    home = ["--home", str(tmp_path / "home")]
    result = runner.invoke(app, ["ingest", str(fixture_corpus[1]), "--format", "json", *home])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["totals"]["documents"] > 100 and report["problems"] == []

    result = runner.invoke(
        app, ["search", "vaccine storage temperature", "--format", "json", "--k", "3", *home]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 3
    assert {"rank", "doc_id", "passage_id", "score", "title", "text"} <= set(hits[0])
    assert all(h["doc_id"].startswith("pmid:") for h in hits)

    result = runner.invoke(
        app,
        ["ask", "How should vaccines be stored in general practice?", "--format", "json", *home],
    )
    assert result.exit_code == 0, result.output
    jsonschema.validate(json.loads(result.stdout), answer_schema)


def test_search_many_queries_from_a_file(tmp_path: Path, fixture_corpus: list[Path]) -> None:
    home = ["--home", str(tmp_path / "home")]
    runner.invoke(app, ["ingest", str(fixture_corpus[1]), "-q", *home])
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"id": "q1", "question": "vaccine storage"}\n'
        '{"id": "q2", "question": "hip fracture surgery"}\n'
    )
    result = runner.invoke(app, ["search", "--queries", str(queries), "--k", "2", *home])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    assert all(len(line["hits"]) == 2 for line in lines)


def test_errors_are_one_clear_line_with_exit_2(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    result = runner.invoke(app, ["search", "anything", *home])
    assert result.exit_code == 2
    assert "medcite ingest" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["ask", "", *home])
    assert result.exit_code == 2 and "empty" in result.output


@pytest.mark.slow
def test_demo_builds_once_then_reuses_the_index(tmp_path: Path, answer_schema: dict) -> None:
    home = ["--home", str(tmp_path / "home")]
    first = runner.invoke(app, ["demo", "--format", "json", *home])
    assert first.exit_code == 0, first.output
    assert "Building the demo index" in first.stderr
    answer = json.loads(first.stdout)
    jsonschema.validate(answer, answer_schema)
    assert answer["intent"] == "treatment" and answer["references"]
    assert any("years old" in w for w in answer["warnings"])  # the corpus is dated

    again = runner.invoke(app, ["demo", "--format", "json", *home])
    assert again.exit_code == 0 and "Building" not in again.stderr
    assert json.loads(again.stdout)["bottom_line"] == answer["bottom_line"]


def _command_paths(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand of the CLI, as argument paths."""
    paths = [prefix]
    for name, command in getattr(group, "commands", {}).items():
        paths += _command_paths(command, (*prefix, name))
    return paths


def test_help_shows_flags_as_flags_and_no_hidden_options() -> None:
    import typer.main

    paths = _command_paths(typer.main.get_command(app))
    assert ("eval", "answers") in paths and ("users", "add") in paths
    for path in paths:
        shown = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert shown.exit_code == 0, (path, shown.output)
        assert "<bool>" not in shown.output, path
        assert "--json" not in shown.output, path  # the deprecated alias stays out of sight
    index_help = runner.invoke(app, ["index", "--help"]).output
    assert "--dense / --no-dense" in index_help and "--format <text|json>" in index_help


def test_version() -> None:
    from importlib.metadata import version

    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0 and shown.stdout == f"medcite {version('medcite')}\n"


def test_index_and_status_print_text_unless_json_is_asked(
    tmp_path: Path, fixture_corpus: list[Path]
) -> None:
    home = ["--home", str(tmp_path / "home")]
    assert runner.invoke(app, ["ingest", str(fixture_corpus[0]), "-q", *home]).exit_code == 0
    for command in (["index"], ["status"]):
        text = runner.invoke(app, [*command, *home])
        assert text.exit_code == 0, text.output
        assert text.stdout.startswith(("index:", "home:")) and "{" not in text.stdout
        assert "manifest: embedded backend" in text.stdout
        as_json = runner.invoke(app, [*command, "--format", "json", *home])
        assert as_json.exit_code == 0, as_json.output
        data = json.loads(as_json.stdout)  # nothing but JSON on stdout
        assert data["manifest"]["passage_count"] > 0
    with_vectors = runner.invoke(app, ["index", "--no-dense", "--format", "json", *home])
    assert "dense" not in json.loads(with_vectors.stdout)


def test_the_deprecated_json_flag_still_works(tmp_path: Path, fixture_corpus: list[Path]) -> None:
    home = ["--home", str(tmp_path / "home")]
    result = runner.invoke(app, ["ingest", str(fixture_corpus[0]), "--json", *home])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["documents"] > 0
    assert "--json is deprecated; use --format json" in result.stderr


def test_the_input_format_is_input_and_format_is_the_output(
    tmp_path: Path, shared_data: Path
) -> None:
    home = ["--home", str(tmp_path / "home")]
    scifact = shared_data / "scifact"
    old_style = runner.invoke(app, ["ingest", str(scifact), "--format", "beir", *home])
    assert old_style.exit_code == 2 and "'beir'" in old_style.output
    ingested = runner.invoke(
        app, ["ingest", str(scifact), "--input", "beir", "--format", "json", "-q", *home]
    )
    assert ingested.exit_code == 0, ingested.output
    assert json.loads(ingested.stdout)["totals"]["documents"] > 1000

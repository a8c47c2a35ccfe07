"""`medcite serve` as a real child process, through the web benchmark's own harness."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner
from webtools import MS_QUESTION

from medcite.cli import app
from medcite.eval.bench.web import markdown, run_web_bench


def test_serve_has_help() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "--host" in result.output


@pytest.mark.slow
def test_web_bench_runs_medcite_serve_and_reports(built_home: Path) -> None:
    questions = [MS_QUESTION, "How is gout treated?", "What causes glaucoma?"]
    results = run_web_bench(built_home, questions, requests=6, clients=2)
    for name in ("bare_ask", "api_answers", "html_ask", "concurrent"):
        assert 0 < results[name]["p50_ms"] <= results[name]["p95_ms"]
    assert results["concurrent"]["answers"] == 6
    assert results["concurrent"]["throughput_per_s"] > 0
    table = markdown(results)
    assert "Server overhead" in table and "| bare `Engine.ask` (in process) |" in table

"""`medcite fetch pubmed ... --ingest` end to end against the replay server."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.config import Settings
from medcite.service import Engine
from medcite.testing.eutils_replay import ReplayServer

runner = CliRunner()


@pytest.fixture(autouse=True)
def replay_env(replay: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> ReplayServer:
    """Every command in this module talks to the replay server."""
    monkeypatch.setenv("MEDCITE_NCBI__BASE_URL", replay.base_url)
    monkeypatch.setenv("MEDCITE_NCBI__API_KEY", "cli-secret-key")
    monkeypatch.setenv("MEDCITE_NCBI__BATCH_SIZE", "3")
    return replay


def test_fetch_and_ingest_then_retracted_paper_is_never_cited(
    tmp_path: Path, answer_schema: dict
) -> None:
    home = tmp_path / "home"
    args = ["fetch", "pubmed", "natalizumab", "--ingest", "--home", str(home)]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "cli-secret-key" not in result.output
    report = json.loads(result.stdout)
    assert report["fetch"]["count"] == 10 and len(report["fetch"]["files"]) == 4
    assert report["ingest"]["totals"]["documents"] == 10
    assert all(Path(f).parent == home / "fetch" / "pubmed" for f in report["fetch"]["files"])

    with Engine(Settings(home=home)) as engine:
        hits = engine.search("natalizumab progressive multiple sclerosis", k=3)
        assert hits[0].document.doc_id == "pmid:99999901"  # found, flagged ...
        answer = engine.answer(
            "What is the dose of natalizumab for progressive multiple sclerosis?"
        )
        asthma = engine.answer("How is mild asthma treated?").to_dict()
    data = answer.to_dict()
    jsonschema.validate(data, answer_schema)
    assert data["insufficient_evidence"] and data["references"] == []  # ... never cited
    assert any("retracted" in w and "pmid:99999901" in w for w in data["warnings"])
    assert asthma["references"]
    for ref in asthma["references"]:
        origin = ref["provenance"]
        assert origin["kind"] == "pubmed" and ref["doc_id"] == f"pmid:{origin['pmid']}"
        assert ref["ingested_at"]


def test_fetch_text_output_and_bad_date(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    result = runner.invoke(
        app, ["fetch", "pubmed", "ms", "--max", "4", "--out", str(out), "--home", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "4 of 4 records in 2 files" in result.stdout
    assert sorted(p.name for p in out.glob("*.xml")) == [
        "pubmed-fetch-0001.xml",
        "pubmed-fetch-0002.xml",
    ]
    result = runner.invoke(app, ["fetch", "pubmed", "ms", "--since", "last year"])
    assert result.exit_code == 2 and "not a date" in result.output


def test_fetch_has_help() -> None:
    result = runner.invoke(app, ["fetch", "pubmed", "--help"])
    assert result.exit_code == 0 and "--since" in result.output and "--ingest" in result.output

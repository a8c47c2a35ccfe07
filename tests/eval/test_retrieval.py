from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.config import Settings
from medcite.eval.report import write_result
from medcite.eval.retrieval import (
    evaluate_retrieval,
    load_beir,
    metric,
    mrr_at_k,
    ndcg_at_k,
    prepare,
    recall_at_k,
    score,
)
from medcite.service import Engine


def test_metrics_against_hand_computed_values() -> None:
    ranked = ["x", "a", "y", "b"]
    rel = {"a": 1, "b": 2}
    dcg = 1 / math.log2(3) + 2 / math.log2(5)
    idcg = 2 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(ranked, rel, 10) == pytest.approx(dcg / idcg)
    assert recall_at_k(ranked, rel, 2) == 0.5
    assert recall_at_k(ranked, rel, 4) == 1.0
    assert mrr_at_k(ranked, rel, 10) == 0.5
    assert mrr_at_k(ranked, rel, 1) == 0.0
    assert metric("recall@2")(ranked, rel) == 0.5
    assert metric("ndcg@1")(["b"], rel) == 1.0
    with pytest.raises(ValueError, match="unknown metric"):
        metric("precision@3")


def test_score_averages_per_system_over_labelled_queries_only() -> None:
    rankings = {
        "good": {"q1": ["d1", "d2"], "q2": ["d3"], "unlabelled": ["d1"]},
        "bm25s": {"q1": ["d2", "d1"], "q2": ["d9", "d3"], "unlabelled": ["d1"]},
    }
    qrels = {"q1": {"d1": 1}, "q2": {"d3": 1}}
    systems, per_item = score(rankings, qrels, ["recall@1", "mrr@10"])
    assert systems["good"] == {"recall@1": 1.0, "mrr@10": 1.0}
    assert systems["bm25s"] == {"recall@1": 0.0, "mrr@10": 0.5}
    assert set(per_item) == {"q1", "q2"}
    assert per_item["q2"]["bm25s"]["mrr@10"] == 0.5


def test_load_beir_reads_the_shared_scifact(shared_data: Path) -> None:
    scifact = load_beir(shared_data / "scifact", "test")
    assert scifact.name == "scifact-test"
    assert len(scifact.qrels) == len(scifact.queries) == 300
    assert all(d.startswith("scifact:") for rel in scifact.qrels.values() for d in rel)


def test_retrieval_smoke_run_beside_bm25s(mini_beir: Path, tmp_path: Path) -> None:
    data = load_beir(mini_beir)
    with Engine(Settings(home=tmp_path / "home")) as engine:
        result, rankings = evaluate_retrieval(engine, data, ["bm25", "bm25s"])
        ingested, embedded = prepare(engine, data.corpus, ["bm25", "bm25s"])
    assert ingested.total("added") == 0 and embedded is None  # a re-run redoes nothing
    assert set(result.systems) == {"bm25", "bm25s"}
    for system, means in result.systems.items():
        assert set(means) == {"ndcg@10", "recall@1", "recall@10", "recall@100", "mrr@10"}
        mean = sum(q[system]["ndcg@10"] for q in result.per_item.values()) / len(data.queries)
        assert means["ndcg@10"] == pytest.approx(mean, abs=1e-4)
        assert means["recall@100"] > 0.8  # 115 documents: nearly everything is in the top 100
    # The two BM25s index the same passages alike; on this tiny set they rank close.
    assert abs(result.systems["bm25"]["ndcg@10"] - result.systems["bm25s"]["ndcg@10"]) < 0.1
    assert all(d.startswith("minifact:") for d in rankings["bm25s"][next(iter(data.queries))])
    json_path, _ = write_result(result, tmp_path / "out")
    saved = json.loads(json_path.read_text())
    assert json_path.name == "retrieval-minifact-test.json"
    assert saved["meta"]["queries"] == 15 and saved["meta"]["corpus_hash"]


@pytest.mark.dense
def test_dense_systems_embed_once_and_fusion_variants_run(mini_beir: Path, tmp_path: Path) -> None:
    systems = ["bm25", "dense", "hybrid", "hybrid-weighted", "bm25s"]
    data = load_beir(mini_beir)
    with Engine(Settings(home=tmp_path / "home")) as engine:
        result, _ = evaluate_retrieval(engine, data, systems)
        assert engine.backend.vector_count() == engine.backend.count() > 100
        _, embedded = prepare(engine, data.corpus, systems)
    assert embedded is None  # vectors kept: a second run embeds nothing
    assert set(result.systems) == set(systems)
    assert all(0.3 < result.systems[s]["ndcg@10"] <= 1.0 for s in systems)


def test_cli_retrieval_writes_json_markdown_and_chart(mini_beir: Path, tmp_path: Path) -> None:
    from medcite.cli import app

    out = tmp_path / "out"
    run = CliRunner().invoke(
        app,
        ["eval", "retrieval", "--dataset", str(mini_beir), "--systems", "bm25", "--out", str(out)],
    )
    assert run.exit_code == 0, run.output
    saved = json.loads((out / "retrieval-minifact-test.json").read_text())
    assert set(saved["systems"]) == {"bm25", "bm25s"}  # the reference is always added
    assert (out / "retrieval-minifact-test.png").read_bytes()[:4] == b"\x89PNG"
    assert "| bm25s |" in run.output
    assert (out / "homes" / "minifact" / "corpus.sqlite").is_file()
    bad = CliRunner().invoke(
        app,
        ["eval", "retrieval", "--dataset", str(mini_beir), "--systems", "bm42", "--out", str(out)],
    )
    assert bad.exit_code == 2 and "unknown system" in bad.output

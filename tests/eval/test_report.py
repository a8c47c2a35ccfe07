import json
from pathlib import Path

from medcite.eval.report import EvalResult, git_commit, write_result


def test_result_files_carry_systems_metrics_and_provenance(tmp_path: Path) -> None:
    result = EvalResult(
        "retrieval",
        "/data/scifact",
        systems={"bm25s": {"ndcg@10": 0.686}, "hybrid": {"ndcg@10": 0.7171, "mrr@10": 0.6}},
        per_item=[{"id": "q1", "ndcg@10": 1.0}],
    )
    json_path, md_path = write_result(result, tmp_path / "out", corpus_hash="abc")

    saved = json.loads(json_path.read_text())
    assert json_path.name == "retrieval-scifact.json"
    assert set(saved) == {"eval", "dataset", "systems", "per_item", "meta"}
    assert saved["systems"]["hybrid"]["ndcg@10"] == 0.7171
    assert saved["meta"]["corpus_hash"] == "abc"
    assert saved["meta"]["commit"] == git_commit()
    assert saved["meta"]["machine"]["cores"] >= 1
    table = md_path.read_text().splitlines()
    assert table[2] == "| system | ndcg@10 | mrr@10 |"
    assert table[4] == "| hybrid | 0.717 | 0.600 |"
    assert table[5] == "| bm25s | 0.686 | – |"


def test_a_dataset_named_after_its_eval_is_not_repeated(tmp_path: Path) -> None:
    result = EvalResult("pubmedqa", "pubmedqa-dev", systems={"bm25s": {"recall@1": 0.9}})
    json_path, md_path = write_result(result, tmp_path, corpus_hash="abc")
    assert (json_path.name, md_path.name) == ("pubmedqa-dev.json", "pubmedqa-dev.md")


def test_many_metrics_are_tabled_one_row_per_metric(tmp_path: Path) -> None:
    metrics = {f"p50_ms@{n}": float(n) for n in (1, 2, 3, 4, 5, 6, 7, 8, 9)}
    result = EvalResult("speed", "synthetic", systems={"bm25": metrics, "bm25s": {"p50_ms@1": 2.0}})
    _, md_path = write_result(result, tmp_path, corpus_hash="abc")
    lines = md_path.read_text().splitlines()
    assert lines[2] == "| metric | bm25 | bm25s |"
    assert lines[4] == "| p50_ms@1 | 1.000 | 2.000 |"
    assert lines[5] == "| p50_ms@2 | 2.000 | – |"

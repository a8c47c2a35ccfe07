"""The quick benchmark runs end to end and compares like with like (slow: about 2 minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.dense]


def test_quick_bench_measures_everything(tmp_path: Path) -> None:
    pytest.importorskip("bm25s")
    pytest.importorskip("psutil")
    # Unstemmed bm25s ranks differently from medcite's stemmed BM25 (top-10 overlap ~0.6),
    # which would make it no reference at all.
    pytest.importorskip("Stemmer", reason="PyStemmer (the [bench] extra) stems bm25s like tantivy")
    from medcite.bench.run import EMBEDDING_METRICS, METRICS, BenchConfig, run

    results = run(BenchConfig.quick(size=10_000), tmp_path / "out", tmp_path / "homes")

    assert (tmp_path / "out" / "results.json").is_file()
    assert set(results["corpora"]) == {"demo", "synthetic-10000"}
    for name, corpus in results["corpora"].items():
        for metric in METRICS:
            value = corpus.get(metric)
            assert isinstance(value, int | float) and value > 0, f"{name}.{metric} = {value!r}"
    for metric in EMBEDDING_METRICS:
        assert results["embedding"][metric] > 0, metric
    assert results["corpora"]["synthetic-10000"]["passages"] >= 10_000
    # bm25s is only a fair speed reference if it ranks the same passages the same way.
    assert results["corpora"]["synthetic-10000"]["bm25_overlap_at_10"] >= 0.7
    assert {t["target"] for t in results["targets"]} >= {"embedder time / raw ONNX time"}

"""The quick benchmark runs end to end, compares like with like and resumes (slow, dense)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.dense]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    # The [bench] extra's PyStemmer must be there: unstemmed bm25s ranks differently from
    # medcite's stemmed BM25 (top-10 overlap ~0.6), which would make it no reference at all.
    from medcite.eval.bench.run import BenchConfig, run

    out = tmp_path_factory.mktemp("bench") / "out"
    return out, run(BenchConfig.quick(sizes=(500, 1500)), out)


def test_quick_bench_measures_everything(quick_run: tuple[Path, dict]) -> None:
    from medcite.eval.bench.run import METRICS

    out, results = quick_run
    assert set(results["corpora"]) == {"synthetic-500", "synthetic-1500"}
    for name, corpus in results["corpora"].items():
        for metric in METRICS:
            value = corpus.get(metric)
            assert isinstance(value, int | float) and value > 0, f"{name}.{metric} = {value!r}"
        for timed in ("bm25", "bm25s", "hybrid", "ask_hybrid"):
            p50, p95, p99 = (corpus[f"{timed}_p{p}_ms"] for p in (50, 95, 99))
            assert p50 <= p95 <= p99, timed
        assert corpus["build_s"] == pytest.approx(corpus["ingest_s"] + corpus["vectors_build_s"])
    assert results["corpora"]["synthetic-1500"]["passages"] >= 1500
    # bm25s is only a fair speed reference if it ranks the same passages the same way.
    assert results["corpora"]["synthetic-1500"]["bm25_overlap_at_10"] >= 0.7
    assert (out / "results.json").is_file() and (out / "bench.md").is_file()


def test_speed_result_has_the_shared_shape_and_a_plot(quick_run: tuple[Path, dict]) -> None:
    out, results = quick_run
    saved = json.loads((out / "speed-synthetic.json").read_text())
    assert set(saved) == {"eval", "dataset", "systems", "per_item", "meta"}
    assert saved["eval"] == "speed"
    bm25s = results["corpora"]["synthetic-500"]["bm25s_p99_ms"]
    assert saved["systems"]["bm25s"]["p99_ms@500"] == bm25s
    assert saved["systems"]["medcite"]["passages@1500"] >= 1500
    assert "synthetic-500" in saved["meta"]["corpus_hash"]
    assert (out / "latency-vs-passages.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_measured_size_is_kept_and_force_measures_again(quick_run: tuple[Path, dict]) -> None:
    from medcite.eval.bench.run import BenchConfig, run

    out, first = quick_run
    again = run(BenchConfig.quick(sizes=(500,)), out)
    assert again["corpora"]["synthetic-500"] == first["corpora"]["synthetic-500"]
    forced = run(BenchConfig.quick(sizes=(500,)), out, force=True)
    kept, remeasured = first["corpora"]["synthetic-500"], forced["corpora"]["synthetic-500"]
    assert remeasured["passages"] == kept["passages"]  # same seed, same corpus
    assert remeasured["corpus_hash"] == kept["corpus_hash"]
    assert remeasured["bm25_p50_ms"] != kept["bm25_p50_ms"]  # timed again

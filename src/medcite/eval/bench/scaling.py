"""The speed bench in the shared eval result shape, and its latency-vs-size plot.

``speed-synthetic.json`` (see :mod:`medcite.eval.report`) has one system per timed path —
``bm25`` (tantivy), ``bm25s`` (the same-run reference), ``hybrid`` (query embedding
included), ``hybrid_index`` (vector given), ``search_*`` (``Engine.search``), ``ask_*`` (warm
``Engine.ask``) — and ``medcite`` for build, disk and memory. Metric names carry the synthetic
corpus size in documents, e.g. ``p99_ms@100000``; ``per_item`` holds every number per corpus.
``latency-vs-passages.png`` draws p50 and p99 against passages on log-log axes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medcite.eval.plots import loglog_lines
from medcite.eval.report import EvalResult, run_meta, write_result

TIMED = ("bm25", "bm25s", "hybrid", "hybrid_index", "search_bm25", "search_hybrid", "ask_bm25",
         "ask_hybrid")  # fmt: skip
PLOTTED = ("bm25", "bm25s", "hybrid", "hybrid_index", "ask_hybrid")
# medcite-wide numbers per corpus: result metric name -> bench key
WHOLE = {
    "passages": "passages",
    "ingest_passages_per_s": "ingest_passages_per_s",
    "build_s": "build_s",
    "disk_mib": "disk_mib",
    "search_process_rss_mib": "ask_process_hybrid_rss_mib",
}
PLOT_NAME = "latency-vs-passages.png"


def synthetic_sizes(corpora: dict[str, Any]) -> dict[str, int]:
    """Synthetic corpus name -> its size in documents, smallest first."""
    sizes = {n: int(n.rsplit("-", 1)[1]) for n in corpora if n.startswith("synthetic-")}
    return dict(sorted(sizes.items(), key=lambda item: item[1]))


def speed_result(results: dict[str, Any]) -> EvalResult:
    """``results`` from :func:`medcite.eval.bench.run.run` as an :class:`EvalResult`."""
    corpora = results["corpora"]
    systems: dict[str, dict[str, float]] = {name: {} for name in (*TIMED, "medcite")}
    for name, size in synthetic_sizes(corpora).items():
        r = corpora[name]
        for system in TIMED:
            for p in (50, 95, 99):
                systems[system][f"p{p}_ms@{size}"] = r[f"{system}_p{p}_ms"]
        systems["bm25s"][f"index_s@{size}"] = r["bm25s_index_s"]
        for metric, key in WHOLE.items():
            systems["medcite"][f"{metric}@{size}"] = r[key]
    hashes = ", ".join(f"{n} {r.get('corpus_hash')}" for n, r in corpora.items())
    meta = run_meta(hashes, config=results["config"], bench_loadavg_end=results["loadavg_end"])
    return EvalResult("speed", "synthetic", systems, per_item=corpora, meta=meta)


def plot_latency(results: dict[str, Any], path: Path) -> Path | None:
    """p50 (solid) and p99 (dashed) latency against passages, log-log, synthetic corpora."""
    corpora = results["corpora"]
    series: dict[str, list[tuple[float, float]]] = {}
    for system in PLOTTED:
        for p in (50, 99):
            series[f"{system} p{p}"] = [
                (corpora[n]["passages"], corpora[n][f"{system}_p{p}_ms"])
                for n in synthetic_sizes(corpora)
            ]
    return loglog_lines(
        series,
        path,
        title="medcite search latency vs corpus size (bm25s: same-run reference)",
        xlabel="passages",
        ylabel="latency per query (ms)",
    )


def write_speed_result(results: dict[str, Any], out: Path) -> tuple[Path, Path, Path | None]:
    """Write ``speed-synthetic.json`` / ``.md`` and the plot into ``out``."""
    json_path, md_path = write_result(speed_result(results), out)
    return json_path, md_path, plot_latency(results, out / PLOT_NAME)

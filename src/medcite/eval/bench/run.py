"""The measurements behind ``medcite bench`` and BENCHMARKS.md.

For the demo corpus and for a synthetic corpus (see :mod:`medcite.eval.bench.corpus`) in fresh data
directories, one run measures: ingest throughput (parse + chunk + store + BM25 index), dense
embedding throughput through ``Engine.embed``, single-query search latency for BM25, dense and
hybrid (query embedding included) beside ``bm25s`` on the same passages, warm ``Engine.ask`` and
cold ``medcite ask`` (a new process) latency, index size on disk and resident memory. Once per
run it also times the embedder against the raw ONNX session on the same pre-tokenised batch.

Machines are noisy, so the targets that compare two implementations are ratios measured in
the same run (medcite / bm25s, embedder / raw ONNX); the others are absolute limits from the
issue. Latencies are ``time.perf_counter`` around one call, after a warm-up, as p50/p95.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from medcite.config import Settings
from medcite.demo import demo_paths, find_shared_data
from medcite.eval.bench.corpus import ensure_synthetic, load_pool
from medcite.eval.machine import machine
from medcite.eval.reference import Bm25sIndex, passage_texts, tokenizer_name
from medcite.eval.report import git_commit
from medcite.index.embed import OnnxEmbedder, pad_batch
from medcite.service import Engine

MIB = 1024 * 1024
MARKER = ".medcite-bench"  # only directories carrying it are ever deleted
K = 10
WARMUP = 10
PERCENTILES = (50, 95, 99)
VECTOR_SLICE = 250_000

# Every corpus result has these, all positive numbers (the quick-bench test checks it).
METRICS = (
    "documents",
    "passages",
    "ingest_s",
    "ingest_passages_per_s",
    "embed_passages",
    "embed_passages_per_s",
    "bm25s_index_s",
    "bm25_p50_ms",
    "bm25_p95_ms",
    "bm25_p99_ms",
    "bm25s_p50_ms",
    "bm25s_p95_ms",
    "bm25s_p99_ms",
    "bm25_over_bm25s_p50",
    "bm25_overlap_at_10",
    "search_bm25_p50_ms",
    "search_bm25_p95_ms",
    "search_bm25_p99_ms",
    "ask_bm25_p50_ms",
    "ask_bm25_p95_ms",
    "ask_bm25_p99_ms",
    "cold_ask_bm25_s",
    "vectors_build_s",
    "build_s",
    "query_embed_p50_ms",
    "dense_p50_ms",
    "dense_p95_ms",
    "hybrid_p50_ms",
    "hybrid_p95_ms",
    "hybrid_p99_ms",
    "hybrid_index_p50_ms",
    "hybrid_index_p95_ms",
    "hybrid_index_p99_ms",
    "search_hybrid_p50_ms",
    "search_hybrid_p95_ms",
    "search_hybrid_p99_ms",
    "ask_hybrid_p50_ms",
    "ask_hybrid_p95_ms",
    "ask_hybrid_p99_ms",
    "cold_ask_hybrid_s",
    "disk_mib",
    "ask_process_bm25_rss_mib",
    "ask_process_hybrid_rss_mib",
    "bench_rss_mib",
)
EMBEDDING_METRICS = ("texts", "embedder_s", "raw_onnx_s", "embedder_over_raw", "passages_per_s")


@dataclass(frozen=True)
class BenchConfig:
    """What one run measures; :meth:`quick` is the CI smoke-test size."""

    sizes: tuple[int, ...] = (10_000, 100_000)  # synthetic documents (each >= 1 passage)
    demo: bool = True  # also measure the demo corpus (and the embedder against raw ONNX)
    queries: int = 500  # PubMedQA questions (dev, then test) timed per search mode
    asks: int = 30  # questions for warm Engine.ask
    cold_runs: int = 3  # `medcite ask` processes per mode; the median is reported
    embed_limit: int = 1000  # passages embedded for real through Engine.embed
    embed_batch: int = 128  # passages in the embedder-vs-raw-ONNX comparison
    base_vectors: int = 4000  # real sentence embeddings the synthetic vectors are made from
    seed: int = 13

    @classmethod
    def quick(cls, sizes: tuple[int, ...] = (2000,)) -> BenchConfig:
        """A small run that takes seconds (the CI smoke test): no demo corpus, few queries."""
        return cls(
            sizes=sizes,
            demo=False,
            queries=60,
            asks=5,
            cold_runs=1,
            embed_limit=50,
            embed_batch=16,
            base_vectors=200,
        )


def run(
    config: BenchConfig, out: Path, home: Path | None = None, *, force: bool = False
) -> dict[str, Any]:
    """Measure every corpus; write ``out/results.json``, the shared speed result and a plot.

    Resumable: each corpus' numbers are kept in ``out/corpora/<name>.json`` and a corpus
    measured there before is not measured again unless ``force``. Data directories are
    created under ``home`` (default ``out/homes``), one per corpus, and replaced when that
    corpus is measured again. Prints a Markdown table and returns every number as a dict.
    """
    from medcite.eval.bench.scaling import write_speed_result

    started = time.perf_counter()
    busy_before = _cpu_seconds()
    out.mkdir(parents=True, exist_ok=True)
    base = home or out / "homes"
    shared = find_shared_data(Settings(home=base).demo_data)
    corpora = [("demo", demo_paths(shared), "auto")] if config.demo else []
    corpora += [
        (synthetic_name(n), [out / f"{synthetic_name(n)}.jsonl"], "jsonl") for n in config.sizes
    ]
    done = {} if force else _measured(out, [name for name, _, _ in corpora])
    todo = [c for c in corpora if c[0] not in done]
    homes = {name: _fresh_dir(base / name) for name, _, _ in todo}  # fail early if not ours
    results: dict[str, Any] = {
        "machine": machine(),
        "config": asdict(config),
        "bm25s_tokenizer": tokenizer_name(),
        "corpora": {},
    }
    for name in done:
        _log(f"{name}: measured before, kept (--force measures again)")
    if todo:
        questions = _questions(shared / "pubmedqa", config.queries)
        _log("loading the sentence pool and the embedder")
        pool = load_pool(shared)
        embedder = OnnxEmbedder()
        # Real embeddings of short sentences; synthetic passage vectors are mixed from them.
        rng = random.Random(config.seed)
        base_vectors = embedder.embed(rng.sample(pool.sentences, config.base_vectors))
    for name, paths, fmt in todo:
        if fmt == "jsonl":
            _log(f"writing {paths[0]} (kept when already complete)")
            ensure_synthetic(paths[0], int(name.rsplit("-", 1)[1]), pool, seed=config.seed)
        engine = Engine(Settings(home=homes[name]))
        try:
            r = bench_corpus(name, engine, paths, fmt, questions, embedder, base_vectors, config)
            r["corpus_hash"] = engine.store.snapshot_hash()
            if name == "demo":
                texts = _sample_passage_texts(engine, config.embed_batch, config.seed)
        finally:
            engine.close()
        # After close(): the SQLite WAL has been folded into the database file.
        r["disk_parts_mib"] = _disk_parts_mib(engine.settings.home)
        r["disk_mib"] = sum(r["disk_parts_mib"].values())
        r["measured"] = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "loadavg": [round(x, 2) for x in os.getloadavg()],
        }
        if name == "demo":
            _log("embedder vs raw ONNX")
            r["embedding"] = embedding_speed(embedder, texts)
        _save_measured(out, name, r)
        done[name] = r
        gc.collect()
    results["corpora"] = {name: done[name] for name, _, _ in corpora}
    if "demo" in done:
        results["embedding"] = done["demo"].get("embedding")
    results["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results["targets"] = targets(results)
    results["wall_s"] = time.perf_counter() - started
    others = [after - before for after, before in zip(_cpu_seconds(), busy_before, strict=True)]
    # Share of the machine's CPU time that other processes used during the run.
    results["other_cpu_share"] = max(0.0, others[0] - others[1]) / (
        results["wall_s"] * os.cpu_count()
    )
    results["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    (out / "results.json").write_text(json.dumps(results, indent=2))
    table = markdown(results)
    (out / "bench.md").write_text(table + "\n", encoding="utf-8")
    write_speed_result(results, out)
    print(table)
    return results


def synthetic_name(size: int) -> str:
    return f"synthetic-{size}"


def _measured(out: Path, names: list[str]) -> dict[str, dict[str, Any]]:
    """Corpora measured by an earlier run into ``out`` (their saved numbers)."""
    found = {}
    for name in names:
        path = out / "corpora" / f"{name}.json"
        if path.is_file():
            found[name] = json.loads(path.read_text(encoding="utf-8"))
    return found


def _save_measured(out: Path, name: str, r: dict[str, Any]) -> None:
    folder = out / "corpora"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{name}.json.tmp"
    tmp.write_text(json.dumps(r, indent=2), encoding="utf-8")
    tmp.replace(folder / f"{name}.json")  # a crash never leaves half a result to resume from


def bench_corpus(
    name: str,
    engine: Engine,
    paths: list[Path],
    fmt: str,
    questions: list[str],
    embedder: OnnxEmbedder,
    base_vectors: np.ndarray,
    config: BenchConfig,
) -> dict[str, Any]:
    """All per-corpus measurements on an empty ``engine``; see the module docstring."""
    r: dict[str, Any] = {}
    backend = engine.backend
    asks = questions[: config.asks]

    _log(f"{name}: ingest")
    t = time.perf_counter()
    report = engine.ingest(paths, fmt=fmt)
    r["ingest_s"] = time.perf_counter() - t
    r["documents"] = report.total("documents")
    r["passages"] = backend.count()
    r["ingest_passages_per_s"] = r["passages"] / r["ingest_s"]

    _log(f"{name}: BM25 beside bm25s")
    texts = passage_texts(engine.store)
    t = time.perf_counter()
    bm25s_search = partial(Bm25sIndex(texts.bodies).search, k=K)
    r["bm25s_index_s"] = time.perf_counter() - t

    ids = texts.passage_ids
    medcite_top = [[s.passage_id for s in backend.search(q, k=K)] for q in questions]
    bm25s_top = [[ids[i] for i in bm25s_search(q)] for q in questions]
    r["bm25_overlap_at_10"] = float(
        np.mean([_overlap(a, b) for a, b in zip(medcite_top, bm25s_top, strict=True)])
    )
    _percentiles(r, "bm25", questions, lambda q: backend.search(q, k=K, mode="bm25"))
    _percentiles(r, "bm25s", questions, bm25s_search)
    r["bm25_over_bm25s_p50"] = r["bm25_p50_ms"] / r["bm25s_p50_ms"]
    del bm25s_search, texts, ids  # frees the reference index
    gc.collect()
    _percentiles(r, "search_bm25", questions, lambda q: engine.search(q, k=K, mode="bm25"))
    _percentiles(r, "ask_bm25", asks, engine.ask, warmup=1)
    r["cold_ask_bm25_s"], r["ask_process_bm25_rss_mib"] = cold_ask(
        engine.settings.home, asks[0], config.cold_runs
    )

    _log(f"{name}: Engine.embed(limit={config.embed_limit})")
    t = time.perf_counter()
    embedded = engine.embed(limit=config.embed_limit)
    r["embed_s"] = time.perf_counter() - t
    r["embed_passages"] = embedded.embedded + embedded.cached
    r["embed_passages_per_s"] = r["embed_passages"] / r["embed_s"]

    _log(f"{name}: synthetic vectors for the other passages, dense and hybrid search")
    t = time.perf_counter()
    _attach_synthetic_vectors(engine, base_vectors, config.seed)
    r["vectors_build_s"] = time.perf_counter() - t
    # The embedded backend's whole build: BM25 (ingest) plus the HNSW graph.
    r["build_s"] = r["ingest_s"] + r["vectors_build_s"]
    _percentiles(r, "query_embed", questions, lambda q: embedder.embed([q]))
    # The index's own share of hybrid latency: the same searches with the vector precomputed.
    vectors = {q: embedder.embed([q])[0] for q in questions}
    _percentiles(
        r,
        "hybrid_index",
        questions,
        lambda q: backend.search(q, k=K, mode="hybrid", vector=vectors[q]),
    )
    for mode in ("dense", "hybrid"):
        _percentiles(
            r,
            mode,
            questions,
            lambda q, m=mode: backend.search(q, k=K, mode=m, vector=embedder.embed([q])[0]),
        )
    _percentiles(r, "search_hybrid", questions, lambda q: engine.search(q, k=K, mode="hybrid"))
    _percentiles(r, "ask_hybrid", asks, engine.ask, warmup=1)
    r["cold_ask_hybrid_s"], r["ask_process_hybrid_rss_mib"] = cold_ask(
        engine.settings.home, asks[0], config.cold_runs
    )

    import psutil

    # Everything this process has loaded so far (earlier corpora too): an upper bound.
    r["bench_rss_mib"] = psutil.Process().memory_info().rss / MIB
    return r


def embedding_speed(embedder: OnnxEmbedder, texts: list[str], repeats: int = 3) -> dict[str, Any]:
    """Time ``embedder.embed(texts)`` against the bare ONNX session on the same token batches.

    The raw side gets the texts already tokenised exactly as the embedder does it (truncated,
    sorted by length, padded per batch), and does no pooling: the ratio is the embedder's
    whole overhead. Best of ``repeats``, interleaved, because throughput noise is one-sided.
    """
    import onnxruntime as ort
    import tokenizers

    settings = embedder.settings
    tokenizer = tokenizers.Tokenizer.from_file(str(embedder.tokenizer_path))
    tokenizer.enable_truncation(max_length=settings.max_tokens)
    tokenizer.no_padding()
    ids = sorted((enc.ids for enc in tokenizer.encode_batch(texts)), key=len)
    batches = [
        pad_batch(ids[i : i + settings.batch_size]) for i in range(0, len(ids), settings.batch_size)
    ]
    options = ort.SessionOptions()
    options.intra_op_num_threads = settings.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        str(embedder.model_path), options, providers=["CPUExecutionProvider"]
    )
    wanted = {i.name for i in session.get_inputs()}
    feeds = [{k: v for k, v in batch.items() if k in wanted} for batch in batches]

    def raw() -> None:
        for feed in feeds:
            session.run(None, feed)

    # Warm both on the very batches timed: a session's first runs on new input shapes are
    # slow while its memory arena grows (measured: 1.45x on the first run, 1.0x from the third).
    for _ in range(2):
        embedder.embed(texts)
        raw()
    embed_s, raw_s = [], []
    for _ in range(repeats):
        embed_s.append(_seconds(lambda: embedder.embed(texts)))
        raw_s.append(_seconds(raw))
    return {
        "texts": len(texts),
        "mean_tokens": float(np.mean([len(i) for i in ids])),
        "embedder_s": min(embed_s),
        "raw_onnx_s": min(raw_s),
        "embedder_over_raw": min(embed_s) / min(raw_s),
        "passages_per_s": len(texts) / min(embed_s),
        "raw_passages_per_s": len(texts) / min(raw_s),
    }


def cold_ask(home: Path, question: str, runs: int) -> tuple[float, float]:
    """Median wall seconds of ``python -m medcite ask`` in a new process, and its peak RSS (MiB).

    The OS file cache is warm (the index was just written); "cold" means a fresh interpreter
    that imports medcite and opens the index, as a user's shell command does. The peak is the
    child's VmHWM read every 20 ms until it exits (the last read is within 20 ms of the end);
    ``wait4``'s ``ru_maxrss`` cannot be used: Linux carries the parent's peak over the exec.
    """
    walls, peaks = [], []
    command = [sys.executable, "-m", "medcite", "ask", question, "--home", str(home)]
    for _ in range(runs):
        with tempfile.TemporaryFile() as err:
            t = time.perf_counter()
            child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
            peak = 0.0
            while True:
                peak = max(peak, _vm_hwm_mib(child.pid))
                try:
                    child.wait(timeout=0.02)
                    break
                except subprocess.TimeoutExpired:
                    pass
            walls.append(time.perf_counter() - t)
            if child.returncode != 0:
                err.seek(0)
                raise RuntimeError(f"{' '.join(command)} failed: {err.read().decode()[-2000:]}")
        peaks.append(peak)
    return float(np.median(walls)), max(peaks)


def _vm_hwm_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # exited between two reads
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) / 1024


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the measured value, the limit and pass/fail."""
    rows = []

    def add(target: str, corpus: str, value: float, limit: float, unit: str) -> None:
        rows.append(
            {
                "target": target,
                "corpus": corpus,
                "value": value,
                "limit": limit,
                "unit": unit,
                "pass": value <= limit,
            }
        )

    for name, r in results["corpora"].items():
        add("BM25 p50 / bm25s p50", name, r["bm25_over_bm25s_p50"], 1.0, "x")
        add("hybrid search p50 (query embedding included)", name, r["hybrid_p50_ms"], 5.0, "ms")
        # The embedded backend's scale targets (issue 9), index only.
        add("hybrid index p50", name, r["hybrid_index_p50_ms"], 10.0, "ms")
        add("hybrid index p99", name, r["hybrid_index_p99_ms"], 50.0, "ms")
        for mode in ("bm25", "hybrid"):
            add(f"warm ask p50 ({mode})", name, r[f"ask_{mode}_p50_ms"], 300.0, "ms")
        for mode in ("bm25", "hybrid"):
            add(f"cold `medcite ask` ({mode})", name, r[f"cold_ask_{mode}_s"], 3.0, "s")
    if results.get("embedding"):
        ratio = results["embedding"]["embedder_over_raw"]
        add("embedder time / raw ONNX time", "demo", ratio, 1.2, "x")
    return rows


def markdown(results: dict[str, Any]) -> str:
    """The results as Markdown: a metrics table (one column per corpus) and the targets."""
    corpora = results["corpora"]
    lines = [
        "| metric | " + " | ".join(corpora) + " |",
        "|---|" + "---:|" * len(corpora),
    ]
    for metric in METRICS:
        values = " | ".join(_fmt(r.get(metric)) for r in corpora.values())
        lines.append(f"| {metric} | {values} |")
    lines += [
        "",
        f"- bm25s tokenizer: {results['bm25s_tokenizer']}; k1=1.2, b=0.75, Lucene IDF, "
        "no stopwords",
        "- dense, hybrid and *_hybrid rows: real query embeddings; passage vectors beyond the "
        "`embed_passages` real ones are synthetic vectors (search latency only)",
        "- disk by part (MiB): "
        + "; ".join(
            f"{name}: " + ", ".join(f"{k} {v:.1f}" for k, v in r["disk_parts_mib"].items())
            for name, r in corpora.items()
        ),
        *_embedding_line(results.get("embedding")),
        "- measured: "
        + "; ".join(
            f"{name} {r['measured']['date']} (commit {r['measured']['commit']}, "
            f"load average {r['measured']['loadavg']})"
            for name, r in corpora.items()
        ),
        f"- this run: bench process peak RSS {results['peak_rss_mib']:.0f} MiB; "
        f"wall {results['wall_s']:.0f} s; "
        f"load average {results['machine']['loadavg_start']} at start, "
        f"{results['loadavg_end']} at end; other processes used "
        f"{results['other_cpu_share']:.0%} of the CPU time during the run",
        "",
        "| target | corpus | value | limit | pass |",
        "|---|---|---:|---:|---|",
    ]
    for t in results["targets"]:
        lines.append(
            f"| {t['target']} | {t['corpus']} | {_fmt(t['value'])} {t['unit']} "
            f"| {_fmt(t['limit'])} {t['unit']} | {'pass' if t['pass'] else '**FAIL**'} |"
        )
    return "\n".join(lines)


def _embedding_line(emb: dict[str, Any] | None) -> list[str]:
    if not emb:
        return []
    return [
        f"- embedder vs raw ONNX on {emb['texts']} demo passages (mean {emb['mean_tokens']:.0f} "
        f"tokens): {_fmt(emb['passages_per_s'])} vs {_fmt(emb['raw_passages_per_s'])} "
        f"passages/s, ratio {emb['embedder_over_raw']:.3f}"
    ]


# -- helpers ---------------------------------------------------------------------------


def _percentiles(
    r: dict[str, Any],
    name: str,
    inputs: Sequence[str],
    call: Callable[[str], object],
    warmup: int = WARMUP,
) -> None:
    for q in inputs[:warmup]:
        call(q)
    ms = [_seconds(lambda q=q: call(q)) * 1000 for q in inputs]
    for p, value in zip(PERCENTILES, np.percentile(ms, PERCENTILES), strict=True):
        r[f"{name}_p{p}_ms"] = float(value)


def _seconds(call: Callable[[], object]) -> float:
    t = time.perf_counter()
    call()
    return time.perf_counter() - t


def _cpu_seconds() -> tuple[float, float]:
    """Busy CPU seconds of the whole machine, and of this process with its waited-for children."""
    import psutil

    machine, me = psutil.cpu_times(), psutil.Process().cpu_times()
    busy = machine.user + machine.nice + machine.system + machine.irq + machine.softirq
    return busy, me.user + me.system + me.children_user + me.children_system


def _questions(pubmedqa: Path, n: int) -> list[str]:
    """The first ``n`` PubMedQA questions, dev then test (1000 in all)."""
    questions: list[str] = []
    for name in ("dev.jsonl", "test_questions.jsonl"):
        with (pubmedqa / name).open(encoding="utf-8") as lines:
            questions += [json.loads(line)["question"] for line in lines if line.strip()]
    return questions[:n]


def _overlap(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    return len(set(a) & set(b)) / max(len(a), len(b))


def _attach_synthetic_vectors(engine: Engine, base: np.ndarray, seed: int) -> None:
    """Give every passage without a vector a cheap synthetic one, for search latency only.

    Each is the mean of two random real sentence embeddings plus a little noise, normalised:
    distinct vectors spread like real ones, where embedding 100k passages for real would take
    hours on 2 cores.
    """
    have = engine.backend.vector_ids()
    ids = [p.passage_id for batch in engine.store.iter_passages() for p in batch]
    ids = [pid for pid in ids if pid not in have]
    rng = np.random.default_rng(seed)
    # In slices, committed one by one: 1M float32 vectors at once would need several GiB.
    for start in range(0, len(ids), VECTOR_SLICE):
        chunk = ids[start : start + VECTOR_SLICE]
        vectors = base[rng.integers(len(base), size=(len(chunk), 2))].mean(axis=1)
        vectors += rng.normal(0.0, 0.02, size=vectors.shape).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        engine.backend.set_vectors(chunk, vectors)
        engine.backend.commit()


def _sample_passage_texts(engine: Engine, n: int, seed: int) -> list[str]:
    texts = [p.text for batch in engine.store.iter_passages() for p in batch]
    return random.Random(seed).sample(texts, n)


def _fresh_dir(path: Path) -> Path:
    """``path``, empty; an existing directory is removed only if a previous bench made it."""
    if path.exists():
        if not (path / MARKER).exists():
            raise FileExistsError(
                f"{path} exists and was not made by medcite bench; not touching it"
            )
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("made by medcite bench; deleted and rebuilt by the next run\n")
    return path


# Path prefixes under a data directory (SQLite -wal/-shm files included) and what they hold.
_DISK_PARTS = {
    "corpus.sqlite": "corpus",
    "index/lexical": "bm25",
    "index/vectors": "hnsw",
    "index/vector_cache.sqlite": "vector_cache",
}


def _disk_parts_mib(home: Path) -> dict[str, float]:
    """Size on disk of every file under ``home``, by part (corpus store, BM25, vectors, ...)."""
    parts: dict[str, float] = {}
    for f in home.rglob("*"):
        if f.is_file() and f.name != MARKER:
            rel = f.relative_to(home).as_posix()
            part = next((v for k, v in _DISK_PARTS.items() if rel.startswith(k)), "other")
            parts[part] = parts.get(part, 0.0) + f.stat().st_size / MIB
    return parts


def _fmt(value: Any) -> str:
    if not isinstance(value, float | int) or isinstance(value, bool):
        return str(value)
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def _log(message: str) -> None:
    import psutil

    rss = psutil.Process().memory_info().rss / MIB
    print(f"[bench] {message} (RSS {rss:,.0f} MiB)", file=sys.stderr, flush=True)

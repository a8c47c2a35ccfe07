"""Scale-out measurements: Milvus vs the embedded backend, PubMed XML ingest and embedding rates.

    python -m medcite.eval.bench.scale --out bench-out/scale --milvus-uri http://127.0.0.1:19530 \
        [--embed-url http://127.0.0.1:8080/v1 --embed-model smollm2] [--synthetic 40000]

- **agreement**: the demo corpus plus ``--synthetic`` synthetic documents (see
  :mod:`medcite.eval.bench.corpus`) ingested twice, into an embedded data directory and into a
  Milvus collection (``MEDCITE_SEARCH_URI``); BM25 top 10 of PubMedQA dev questions compared
  (overlap@10, same top 1) and timed on both.
- **ingest**: gzipped PubMed XML made from the real PubMedQA abstracts (fresh PMIDs), ingested
  with ``--workers`` 1 and 2 through :func:`medcite.ingest.parallel.ingest_checkpointed`
  (parse + chunk + store, no index): documents/s.
- **embedding**: passages/s of the local ONNX embedder and, with ``--embed-url``, of an
  OpenAI-compatible endpoint, on real passages; projected hours per million passages.

Prints the results as JSON and writes ``<out>/scale.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from medcite.config import Settings
from medcite.corpus.store import CorpusStore
from medcite.demo import demo_paths, find_shared_data
from medcite.eval.bench.corpus import load_pool, write_synthetic
from medcite.ingest.parallel import ingest_checkpointed
from medcite.service import Engine

PUBMED_BASELINE_ABSTRACTS = 36_000_000


def pubmed_files(shared: Path, out: Path, *, files: int, per_file: int) -> list[Path]:
    """``files`` gzipped ``PubmedArticleSet`` files cycling the real PubMedQA abstracts."""
    rows = [json.loads(line) for line in (shared / "pubmedqa" / "corpus.jsonl").open()]
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for number in range(files):
        path = out / f"pubmed98n{number + 1:04d}.xml.gz"
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n')
            for i in range(per_file):
                row = rows[(number * per_file + i) % len(rows)]
                handle.write(_article(80_000_000 + number * per_file + i, row))
            handle.write("</PubmedArticleSet>\n")
        made.append(path)
    return made


def _article(pmid: int, row: dict[str, Any]) -> str:
    parts = "".join(
        f'<AbstractText Label="{escape(label)}">{escape(text)}</AbstractText>'
        for label, text in zip(row["labels"], row["contexts"], strict=False)
    )
    mesh = "".join(
        f"<MeshHeading><DescriptorName>{escape(m)}</DescriptorName></MeshHeading>"
        for m in row.get("meshes") or []
    )
    title = escape(row.get("title") or row["contexts"][0][:120])
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
        f"<Journal><JournalIssue><PubDate><Year>{row.get('year') or 2000}</Year></PubDate>"
        f"</JournalIssue><Title>PubMedQA</Title></Journal><ArticleTitle>{title}</ArticleTitle>"
        f"<Abstract>{parts}</Abstract><PublicationTypeList><PublicationType>Journal Article"
        f"</PublicationType></PublicationTypeList></Article><MeshHeadingList>{mesh}"
        "</MeshHeadingList></MedlineCitation></PubmedArticle>\n"
    )


def ingest_rate(paths: list[Path], home: Path, workers: int) -> dict[str, float]:
    """Parse + chunk + store (no index) with ``workers`` processes: documents/s."""
    shutil.rmtree(home, ignore_errors=True)
    store = CorpusStore(home / "corpus.sqlite")
    started = time.perf_counter()
    report = ingest_checkpointed(paths, store, workers=workers)
    seconds = time.perf_counter() - started
    store.close()
    documents = report.total("documents")
    return {
        "workers": workers,
        "documents": documents,
        "passages": report.total("passages"),
        "seconds": round(seconds, 2),
        "documents_per_s": round(documents / seconds, 1),
    }


def embed_rate(embed: Callable[[list[str]], object], texts: list[str]) -> dict[str, float]:
    """Passages/s embedding ``texts`` in batches of 32, and hours per million passages."""
    started = time.perf_counter()
    for i in range(0, len(texts), 32):
        embed(texts[i : i + 32])
    rate = len(texts) / (time.perf_counter() - started)
    return {
        "passages": len(texts),
        "passages_per_s": round(rate, 1),
        "hours_per_million": round(1e6 / rate / 3600, 1),
    }


def agreement(
    shared: Path, out: Path, milvus_uri: str, synthetic: int, queries: list[str]
) -> dict[str, Any]:
    """BM25 top-10 overlap and latency: embedded backend vs Milvus on the same corpus."""
    paths = [
        *demo_paths(shared),
        write_synthetic(out / "synthetic.jsonl", synthetic, load_pool(shared)),
    ]
    engines = {
        "embedded": Settings(home=_fresh(out / "embedded")),
        "milvus": Settings(
            home=_fresh(out / "milvus"),
            search_uri=milvus_uri,
            scale={"milvus_collection": f"bench_{int(time.time())}", "vector_dim": 384},
        ),
    }
    rankings: dict[str, list[list[str]]] = {}
    result: dict[str, Any] = {}
    for name, settings in engines.items():
        with Engine(settings) as engine:
            started = time.perf_counter()
            engine.ingest(paths)
            result[f"{name}_ingest_and_index_s"] = round(time.perf_counter() - started, 1)
            result["passages"] = engine.backend.count()
            for query in queries[:10]:  # warm-up
                engine.backend.search(query, k=10)
            times, ranked = [], []
            for query in queries:
                began = time.perf_counter()
                hits = engine.backend.search(query, k=10)
                times.append((time.perf_counter() - began) * 1000)
                ranked.append([h.passage_id for h in hits])
            rankings[name] = ranked
            result[f"{name}_bm25_ms"] = _percentiles(times)
            if name == "milvus":
                engine.backend.drop()  # type: ignore[attr-defined]
    pairs = list(zip(rankings["embedded"], rankings["milvus"], strict=True))
    result["overlap_at_10"] = round(
        statistics.mean(len(set(a) & set(b)) / max(1, len(a)) for a, b in pairs), 3
    )
    result["same_top1"] = round(statistics.mean(a[:1] == b[:1] for a, b in pairs), 3)
    result["queries"] = len(queries)
    return result


def _percentiles(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "p50": round(ordered[len(ordered) // 2], 2),
        "p95": round(ordered[int(len(ordered) * 0.95)], 2),
    }


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _questions(shared: Path, n: int) -> list[str]:
    lines: Iterator[str] = (shared / "pubmedqa" / "dev.jsonl").open()
    return [json.loads(line)["question"] for _, line in zip(range(n), lines, strict=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out/scale"))
    parser.add_argument("--milvus-uri", help="a running Milvus / milvus-lite server")
    parser.add_argument("--synthetic", type=int, default=40_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--per-file", type=int, default=5000)
    parser.add_argument("--embed-url")
    parser.add_argument("--embed-model", default="text-embedding")
    parser.add_argument("--embed-texts", type=int, default=256)
    parser.add_argument("--embed-batch", type=int, default=64, help="texts per endpoint request")
    args = parser.parse_args()
    shared = find_shared_data(None)
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    files = pubmed_files(shared, args.out / "xml", files=args.files, per_file=args.per_file)
    results["ingest"] = [ingest_rate(files, args.out / f"ingest-{w}", w) for w in (1, 2)]
    store = CorpusStore(args.out / "ingest-2" / "corpus.sqlite")
    texts = [p.text for p in next(store.iter_passages(batch_size=args.embed_texts))]
    store.close()
    results["passages_per_abstract"] = round(
        results["ingest"][0]["passages"] / results["ingest"][0]["documents"], 2
    )
    from medcite.index.embed import OnnxEmbedder

    results["embed_onnx"] = embed_rate(OnnxEmbedder().embed, texts)
    if args.embed_url:
        from medcite.index.remote_embed import RemoteEmbedder

        remote = RemoteEmbedder(args.embed_url, model=args.embed_model, batch=args.embed_batch)
        results["embed_endpoint"] = {"dim": remote.dim, **embed_rate(remote.embed, texts)}
    if args.milvus_uri:
        questions = _questions(shared, args.queries)
        results["agreement"] = agreement(
            shared, args.out / "agreement", args.milvus_uri, args.synthetic, questions
        )
    (args.out / "scale.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

"""Retrieval quality: nDCG@10, Recall@k and MRR@10 per system beside ``bm25s``, on labelled data.

Systems (see :func:`build_rankers`): medcite's search modes ``bm25``, ``dense`` and ``hybrid``
(RRF, the default), ``hybrid-weighted`` (min-max score fusion, alpha 0.5, over the top 1000 of
BM25 and dense; :func:`medcite.index.fusion.weighted`) and the reference ``bm25s`` over the
very same passages. Passage hits are folded into documents (a document ranks where its best
passage ranks), because the labels (BEIR qrels, PubMedQA's own abstract) are per document.
The data directory holds only the dataset's own corpus: queries and labels are never indexed.

    >>> round(ndcg_at_k(["a", "b"], {"b": 1}, 10), 3)
    0.631
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from medcite.eval.report import REFERENCE_SYSTEM, EvalResult, run_meta
from medcite.index.build import EmbedReport
from medcite.ingest.report import IngestReport
from medcite.models import Hit, ScoredId
from medcite.progress import ProgressFn, silent

PASSAGE_DEPTH = 400  # passages fetched to fill the top 100 documents
WEIGHTED_DEPTH = 1000  # per-retriever depth of weighted fusion (measured best on SciFact)
WEIGHTED_ALPHA = 0.5
MODES = ("bm25", "dense", "hybrid")
SYSTEMS = (*MODES, "hybrid-weighted", REFERENCE_SYSTEM)
NEEDS_VECTORS = frozenset({"dense", "hybrid", "hybrid-weighted"})
# Published BEIR BM25 nDCG@10 (Thakur et al., 2021), keyed by dataset folder name.
PUBLISHED_BM25_NDCG10 = {"scifact": 0.665, "nfcorpus": 0.325, "trec-covid": 0.656}
BEIR_METRICS = ("ndcg@10", "recall@1", "recall@10", "recall@100", "mrr@10")

Ranker = Callable[[str], list[str]]  # query text -> document ids, best first


@dataclass(frozen=True)
class LabelledQueries:
    name: str
    corpus: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id -> {doc_id: relevance}


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """Normalised discounted cumulative gain of the first ``k`` (graded relevance)."""
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents found in the first ``k``."""
    wanted = {d for d, r in relevant.items() if r > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int) -> float:
    """1 / rank of the first relevant document in the first ``k``, else 0."""
    return next((1 / (i + 1) for i, d in enumerate(ranked[:k]) if relevant.get(d, 0) > 0), 0.0)


def metric(name: str) -> Callable[[Sequence[str], Mapping[str, int]], float]:
    """The metric called ``name`` (``ndcg@10``, ``recall@5``, ``mrr@10``, ...)."""
    kind, _, k = name.partition("@")
    functions = {"ndcg": ndcg_at_k, "recall": recall_at_k, "mrr": mrr_at_k}
    if kind not in functions or not k.isdigit():
        raise ValueError(f"unknown metric {name!r}; use ndcg@K, recall@K or mrr@K")
    return lambda ranked, relevant: functions[kind](ranked, relevant, int(k))


def documents_in_order(hits: Sequence[Hit] | Sequence[ScoredId]) -> list[str]:
    """Document ids in order of their best passage."""
    return list(dict.fromkeys(h.document.doc_id if isinstance(h, Hit) else h.doc_id for h in hits))


def prepare(
    engine: Any, corpus: Path, systems: Sequence[str], progress: ProgressFn | None = None
) -> tuple[IngestReport, EmbedReport | None]:
    """Ingest ``corpus`` and, when a system needs them, embed the passages that lack vectors.

    Both steps are idempotent and resumable, so a data directory is reused across runs: a
    second run ingests and embeds nothing (the embed report is None when nothing lacked one).
    """
    ingested = engine.ingest([corpus], progress=progress)
    if NEEDS_VECTORS & set(systems) and engine.backend.vector_count() < engine.backend.count():
        return ingested, engine.embed(progress=progress)
    return ingested, None


def build_rankers(engine: Any, systems: Sequence[str]) -> dict[str, Ranker]:
    """A document ranker per system name (see the module docstring) over ``engine``'s index."""
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise ValueError(
            f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(SYSTEMS)}"
        )
    embed = None
    if NEEDS_VECTORS & set(systems):
        from medcite.index.embed import EmbedderUnavailable

        embedder = engine.load_embedder()
        if embedder is None:
            raise EmbedderUnavailable(engine.embedder_problem or "no embedder")
        embed = lru_cache(maxsize=None)(lambda q: embedder.embed([q])[0])
    rankers: dict[str, Ranker] = {}
    for name in systems:
        if name in MODES:
            rankers[name] = _mode_ranker(engine, name)
        elif name == "hybrid-weighted":
            rankers[name] = _weighted_ranker(engine.backend, embed)
        else:
            rankers[name] = _bm25s_ranker(engine.store)
    return rankers


def _mode_ranker(engine: Any, mode: str) -> Ranker:
    def rank(query: str) -> list[str]:
        hits = engine.search(query, k=PASSAGE_DEPTH, mode=mode, priors=False)
        return documents_in_order(hits)

    return rank


def _weighted_ranker(backend: Any, embed: Any) -> Ranker:
    from medcite.index.fusion import weighted

    def rank(query: str) -> list[str]:
        vector = embed(query)
        lexical = backend.search(query, k=WEIGHTED_DEPTH, mode="bm25")
        dense = backend.search(query, k=WEIGHTED_DEPTH, mode="dense", vector=vector)
        fused = weighted([lexical, dense], alpha=WEIGHTED_ALPHA, limit=PASSAGE_DEPTH)
        return documents_in_order(fused)

    return rank


def _bm25s_ranker(store: Any) -> Ranker:
    from medcite.eval.reference import Bm25sIndex, passage_texts

    texts = passage_texts(store)
    index = Bm25sIndex(texts.bodies)

    def rank(query: str) -> list[str]:
        return list(dict.fromkeys(texts.doc_ids[i] for i in index.search(query, PASSAGE_DEPTH)))

    return rank


def rank_all(
    queries: Mapping[str, str], rankers: Mapping[str, Ranker], progress: ProgressFn | None = None
) -> dict[str, dict[str, list[str]]]:
    """``{system: {query id: ranked document ids}}`` for every query."""
    progress = progress or silent
    rankings: dict[str, dict[str, list[str]]] = {}
    for system, rank in rankers.items():
        task = f"rank {system}"
        rankings[system] = {}
        for i, (qid, text) in enumerate(queries.items(), 1):
            rankings[system][qid] = rank(text)
            progress(task, i, len(queries))
    return rankings


def score(
    rankings: Mapping[str, Mapping[str, list[str]]],
    qrels: Mapping[str, Mapping[str, int]],
    metrics: Sequence[str],
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[str, float]]]]:
    """Mean metrics per system, and per query ``{query id: {system: {metric: value}}}``.

    Only queries with labels count; every system is scored on the same queries.
    """
    functions = {m: metric(m) for m in metrics}
    systems: dict[str, dict[str, float]] = {}
    per_item: dict[str, dict[str, dict[str, float]]] = {}
    for system, ranked in rankings.items():
        labelled = [q for q in ranked if qrels.get(q)]
        for qid in labelled:
            values = {m: f(ranked[qid], qrels[qid]) for m, f in functions.items()}
            per_item.setdefault(qid, {})[system] = values
        systems[system] = {
            m: round(sum(per_item[q][system][m] for q in labelled) / len(labelled), 4)
            if labelled
            else 0.0
            for m in metrics
        }
    return systems, per_item


def evaluate_retrieval(
    engine: Any,
    data: LabelledQueries,
    systems: Sequence[str],
    *,
    metrics: Sequence[str] = BEIR_METRICS,
    progress: ProgressFn | None = None,
) -> tuple[EvalResult, dict[str, dict[str, list[str]]]]:
    """Ingest (and embed) ``data.corpus`` into ``engine``, rank every query with every system.

    The reference ``bm25s`` is always among the systems. Returns the :class:`EvalResult`
    (``eval`` = ``retrieval``) and the rankings.
    """
    systems = list(dict.fromkeys([*systems, REFERENCE_SYSTEM]))
    prepare(engine, data.corpus, systems, progress)
    rankers = build_rankers(engine, systems)
    rankings = rank_all(data.queries, rankers, progress)
    means, per_item = score(rankings, data.qrels, metrics)
    collection = data.name.split("-")[0]
    meta = run_meta(
        engine.store.snapshot_hash(),
        queries=sum(1 for q in data.queries if data.qrels.get(q)),
        passages=engine.backend.count(),
        vectors=engine.backend.vector_count(),
        passage_depth=PASSAGE_DEPTH,
        published_bm25_ndcg10=PUBLISHED_BM25_NDCG10.get(collection),
        priors=False,
    )
    return EvalResult("retrieval", data.name, means, per_item, meta), rankings


def load_beir(folder: Path, split: str = "test") -> LabelledQueries:
    """A BEIR folder; document ids get the folder name as collection, as ingest gives them."""
    collection = folder.name.lower()
    with (folder / "queries.jsonl").open(encoding="utf-8") as lines:
        queries = {str(q["_id"]): q["text"] for q in map(json.loads, lines)}
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            doc = f"{collection}:{row['corpus-id']}"
            qrels.setdefault(row["query-id"], {})[doc] = int(row["score"])
    labelled = {q: text for q, text in queries.items() if q in qrels}
    return LabelledQueries(f"{collection}-{split}", folder, labelled, qrels)

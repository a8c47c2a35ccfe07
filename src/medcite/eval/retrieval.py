"""Retrieval quality: nDCG@10, Recall@k and MRR@10 per search mode, on labelled query sets.

Reads the pipeline, never changes it (beyond ingesting the dataset's own corpus). Passage
hits are folded into documents (a document ranks where its best passage ranks), because the
labels (BEIR qrels, PubMedQA's own abstract) are per document.

    >>> ndcg_at_k(["a", "b"], {"b": 1}, 10)  # doctest: +ELLIPSIS
    0.63...
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcite.models import Hit

PASSAGE_DEPTH = 400  # passages fetched to fill the top 100 documents


@dataclass(frozen=True)
class LabelledQueries:
    name: str
    corpus: Path
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id -> {doc_id: relevance}


def ndcg_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    wanted = {d for d, r in relevant.items() if r > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    return next((1 / (i + 1) for i, d in enumerate(ranked[:k]) if relevant.get(d, 0) > 0), 0.0)


def documents_in_order(hits: Sequence[Hit]) -> list[str]:
    return list(dict.fromkeys(h.document.doc_id for h in hits))


METRICS = {
    "ndcg@10": lambda r, rel: ndcg_at_k(r, rel, 10),
    "recall@1": lambda r, rel: recall_at_k(r, rel, 1),
    "recall@10": lambda r, rel: recall_at_k(r, rel, 10),
    "recall@100": lambda r, rel: recall_at_k(r, rel, 100),
    "mrr@10": lambda r, rel: mrr_at_k(r, rel, 10),
}


def evaluate(engine: Any, data: LabelledQueries, modes: Sequence[str]) -> dict[str, Any]:
    """Per mode: mean of every metric (``score``) and per-query values (``individual``)."""
    results: dict[str, Any] = {}
    labelled = [q for q in data.queries if q in data.qrels]
    for mode in modes:
        individual: dict[str, dict[str, float]] = {}
        for qid in labelled:
            hits = engine.search(data.queries[qid], k=PASSAGE_DEPTH, mode=mode, priors=False)
            ranked = documents_in_order(hits)
            individual[qid] = {m: f(ranked, data.qrels[qid]) for m, f in METRICS.items()}
        mean = {
            m: round(sum(v[m] for v in individual.values()) / len(individual), 4) for m in METRICS
        }
        results[mode] = {"score": mean, "individual": individual, "queries": len(individual)}
    return results


def load_beir(folder: Path, split: str = "test") -> LabelledQueries:
    """A BEIR folder; document ids get the folder name as collection, as ingest gives them."""
    collection = folder.name
    with (folder / "queries.jsonl").open(encoding="utf-8") as lines:
        queries = {str(q["_id"]): q["text"] for q in map(json.loads, lines)}
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            doc = f"{collection}:{row['corpus-id']}"
            qrels.setdefault(row["query-id"], {})[doc] = int(row["score"])
    return LabelledQueries(f"{collection}/{split}", folder, queries, qrels)


def load_pubmedqa(folder: Path, split: str = "dev") -> LabelledQueries:
    """PubMedQA questions; the relevant document is the question's own abstract."""
    file = folder / ("dev.jsonl" if split == "dev" else "test_questions.jsonl")
    with file.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    queries = {str(r["pmid"]): r["question"] for r in rows}
    qrels = {pmid: {f"pmid:{pmid}": 1} for pmid in queries}
    return LabelledQueries(f"pubmedqa/{split}", folder / "corpus.jsonl", queries, qrels)

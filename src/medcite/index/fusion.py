"""Rank fusion: combine ranked lists from several retrievers into one.

:func:`rrf` is what hybrid search uses (it needs no score calibration); :func:`weighted`
(min-max-normalised score fusion) is kept for evaluation. On SciFact (300 test queries,
nDCG@10 / Recall@100) RRF (k=60) over the top 100 of BM25 (0.687 / 0.925) and MiniLM
(0.647 / 0.923) gives 0.714 / 0.955; weighted fusion over the top 1000 with alpha = 0.5
(best of 0.3/0.5/0.7 on the train queries) gives 0.735 / 0.962, but alpha must be tuned
per corpus and embedder.
"""

from __future__ import annotations

from collections.abc import Sequence

from medcite.models import ScoredId


def rrf(
    rankings: Sequence[Sequence[ScoredId]],
    *,
    k: int = 60,
    limit: int,
    weights: Sequence[float] | None = None,
) -> list[ScoredId]:
    """Reciprocal rank fusion: ``score(p) = Σ w / (k + rank of p in a ranking)``, ranks from 1.

    A passage missing from a ranking gets nothing from it; ``weights`` (default all 1)
    scale each ranking's votes. Ties are broken by ``passage_id`` so the output is
    deterministic. Returns the best ``limit``.

    >>> a, b, c = (ScoredId(p, "d", 0.0) for p in "abc")
    >>> [(s.passage_id, round(s.score, 4)) for s in rrf([[a, b], [b, c]], k=1, limit=3)]
    [('b', 0.8333), ('a', 0.5), ('c', 0.3333)]
    """
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.passage_id] = scores.get(hit.passage_id, 0.0) + weight / (k + rank)
    return _top(scores, _doc_ids(rankings), limit)


def weighted(
    rankings: Sequence[Sequence[ScoredId]], *, alpha: float = 0.5, limit: int
) -> list[ScoredId]:
    """Min-max score fusion of two rankings: ``alpha * norm(first) + (1 - alpha) * norm(second)``.

    Each ranking's scores are scaled to [0, 1] over the hits it returned (all 1.0 when its
    scores are equal); a passage missing from a ranking gets 0 from it. Ties are broken by
    ``passage_id``. Returns the best ``limit``.
    """
    if len(rankings) != 2:
        raise ValueError(f"weighted fusion takes exactly 2 rankings, got {len(rankings)}")
    scores: dict[str, float] = {}
    for weight, ranking in zip((alpha, 1.0 - alpha), rankings, strict=True):
        for passage_id, norm in _min_max(ranking).items():
            scores[passage_id] = scores.get(passage_id, 0.0) + weight * norm
    return _top(scores, _doc_ids(rankings), limit)


def _min_max(ranking: Sequence[ScoredId]) -> dict[str, float]:
    if not ranking:
        return {}
    low = min(hit.score for hit in ranking)
    span = max(hit.score for hit in ranking) - low
    return {hit.passage_id: (hit.score - low) / span if span else 1.0 for hit in ranking}


def _doc_ids(rankings: Sequence[Sequence[ScoredId]]) -> dict[str, str]:
    return {hit.passage_id: hit.doc_id for ranking in rankings for hit in ranking}


def _top(scores: dict[str, float], doc_ids: dict[str, str], limit: int) -> list[ScoredId]:
    best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [ScoredId(passage_id, doc_ids[passage_id], score) for passage_id, score in best]

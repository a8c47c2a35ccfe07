"""Rank fusion against hand-computed tables."""

from __future__ import annotations

import pytest

from medcite.index.fusion import rrf, weighted
from medcite.models import ScoredId


def ranking(*pairs: tuple[str, float]) -> list[ScoredId]:
    return [ScoredId(pid, f"doc-{pid}", score) for pid, score in pairs]


BM25 = ranking(("x", 10.0), ("y", 5.0), ("z", 0.0))
DENSE = ranking(("y", 0.9), ("w", 0.5), ("x", 0.1))


def test_rrf_matches_hand_computed_table() -> None:
    # k = 60, ranks from 1:
    #   y: 1/62 (bm25 rank 2) + 1/61 (dense rank 1) = 0.0325225
    #   x: 1/61 (bm25 rank 1) + 1/63 (dense rank 3) = 0.0322665
    #   w:                      1/62 (dense rank 2) = 0.0161290
    #   z: 1/63 (bm25 rank 3)                       = 0.0158730
    fused = rrf([BM25, DENSE], limit=10)
    assert [(h.passage_id, h.doc_id) for h in fused] == [
        ("y", "doc-y"),
        ("x", "doc-x"),
        ("w", "doc-w"),
        ("z", "doc-z"),
    ]
    assert [h.score for h in fused] == pytest.approx(
        [1 / 62 + 1 / 61, 1 / 61 + 1 / 63, 1 / 62, 1 / 63]
    )


def test_rrf_uses_ranks_not_scores_and_honours_k_and_limit() -> None:
    fused = rrf([ranking(("a", 1e9), ("b", 1e-9)), ranking(("b", 0.0), ("c", -5.0))], k=1, limit=2)
    assert [(h.passage_id, round(h.score, 4)) for h in fused] == [("b", 0.8333), ("a", 0.5)]


def test_rrf_breaks_ties_by_passage_id_whatever_the_input_order() -> None:
    one, two = ranking(("b", 1.0)), ranking(("a", 1.0))
    assert [h.passage_id for h in rrf([one, two], limit=2)] == ["a", "b"]
    assert [h.passage_id for h in rrf([two, one], limit=2)] == ["a", "b"]


def test_rrf_of_nothing_is_empty() -> None:
    assert rrf([], limit=5) == []
    assert rrf([[], []], limit=5) == []


def test_weighted_matches_hand_computed_table() -> None:
    # min-max: bm25 x 1, y .5, z 0; dense y 1, w .5, x 0
    # alpha .5: y .75, x .5, w .25, z 0
    fused = weighted([BM25, DENSE], alpha=0.5, limit=10)
    assert [h.passage_id for h in fused] == ["y", "x", "w", "z"]
    assert [h.score for h in fused] == pytest.approx([0.75, 0.5, 0.25, 0.0])


def test_weighted_alpha_one_is_the_first_ranking() -> None:
    fused = weighted([BM25, DENSE], alpha=1.0, limit=3)
    assert [h.passage_id for h in fused] == ["x", "y", "w"]  # w and z tie at 0: by id


def test_weighted_scores_equal_scores_as_one() -> None:
    fused = weighted([ranking(("a", 3.0), ("b", 3.0)), []], alpha=0.5, limit=5)
    assert [(h.passage_id, h.score) for h in fused] == [("a", 0.5), ("b", 0.5)]


def test_weighted_needs_two_rankings() -> None:
    with pytest.raises(ValueError, match="exactly 2"):
        weighted([BM25], limit=3)


def test_rrf_weights_scale_each_rankings_votes() -> None:
    a, b = ScoredId("a", "d", 0.0), ScoredId("b", "d", 0.0)
    fused = rrf([[a, b], [b, a]], k=1, limit=2, weights=[1.0, 0.1])
    assert [(s.passage_id, round(s.score, 4)) for s in fused] == [
        ("a", round(1 / 2 + 0.1 / 3, 4)),
        ("b", round(1 / 3 + 0.1 / 2, 4)),
    ]

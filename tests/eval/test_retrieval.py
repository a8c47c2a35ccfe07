from __future__ import annotations

import math
from pathlib import Path

import pytest

from medcite.eval.retrieval import (
    LabelledQueries,
    evaluate,
    load_beir,
    load_pubmedqa,
    mrr_at_k,
    ndcg_at_k,
    recall_at_k,
)
from medcite.service import Engine


def test_metrics_against_hand_computed_values() -> None:
    ranked = ["x", "a", "y", "b"]
    rel = {"a": 1, "b": 2}
    dcg = 1 / math.log2(3) + 2 / math.log2(5)
    idcg = 2 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(ranked, rel, 10) == pytest.approx(dcg / idcg)
    assert recall_at_k(ranked, rel, 2) == 0.5
    assert recall_at_k(ranked, rel, 4) == 1.0
    assert mrr_at_k(ranked, rel, 10) == 0.5
    assert mrr_at_k(ranked, rel, 1) == 0.0


def test_loaders_read_the_shared_datasets(shared_data: Path) -> None:
    scifact = load_beir(shared_data / "scifact", "test")
    assert len(scifact.qrels) == 300
    assert all(d.startswith("scifact:") for rel in scifact.qrels.values() for d in rel)
    pqa = load_pubmedqa(shared_data / "pubmedqa", "dev")
    assert len(pqa.queries) == 500 and pqa.qrels["18049437"] == {"pmid:18049437": 1}


def test_bm25_finds_pubmedqa_questions_own_abstracts(engine: Engine, shared_data: Path) -> None:
    pqa = load_pubmedqa(shared_data / "pubmedqa", "dev")
    in_fixture = [q for q in pqa.queries if int(q) % 5 == 0][:40]
    subset = LabelledQueries(
        "subset", pqa.corpus, {q: pqa.queries[q] for q in in_fixture}, pqa.qrels
    )
    result = evaluate(engine, subset, ["bm25"])["bm25"]
    assert result["queries"] == len(in_fixture) > 10
    assert result["score"]["recall@10"] >= 0.8
    assert set(result["individual"]) == set(in_fixture)

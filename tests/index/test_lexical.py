"""tantivy BM25: query handling, the analyzer, lookups, and bm25s as an oracle on SciFact."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
import tantivy

from medcite.errors import IndexNotReady
from medcite.index.lexical import MAX_QUERY_TERMS, LexicalIndex, query_terms
from medcite.models import IndexRecord, SearchFilters


@pytest.fixture
def index(tmp_path: Path) -> Iterator[LexicalIndex]:
    index = LexicalIndex(tmp_path)
    yield index
    index.close()


def record(pid: str, text: str, **meta: object) -> IndexRecord:
    fields = {"collection": "c", "evidence_level": "other", "year": None, **meta}
    return IndexRecord(pid, f"doc-{pid}", "", text, **fields)  # type: ignore[arg-type]


def test_query_terms_are_plain_words() -> None:
    assert query_terms('title:(Metformin AND "HbA1c") OR NOT statins^2~ [1 TO 5]') == [
        "titl",
        "metformin",
        "and",
        "hba1c",
        "or",
        "not",
        "statin",
        "2",
        "1",
        "to",
        "5",
    ]
    assert query_terms("") == []
    assert query_terms("?!* ()") == []


def test_query_terms_are_unique_and_capped() -> None:
    words = [f"word{i}" for i in range(200)]
    terms = query_terms(" ".join(words + words))
    assert terms == words[:MAX_QUERY_TERMS]


def test_query_analyzer_matches_the_indexed_analyzer(index: LexicalIndex) -> None:
    text = "Running runners' HbA1c (≥7.0%) naïve Über-long COVID-19 TNF-α e.g. STATINS x"
    index.upsert([record("p", text)])
    index.commit()
    terms = query_terms(text)
    assert len(terms) > 10
    for term in terms:  # each analyzed query term alone must hit the indexed passage
        assert [h.passage_id for h in index.search(term)] == ["p"], term


def test_title_is_searchable(index: LexicalIndex) -> None:
    index.upsert([IndexRecord("p", "d", "Zoledronic acid", "Bone density.", "c", "o", None)])
    index.commit()
    assert [h.passage_id for h in index.search("zoledronic")] == ["p"]


def test_lookup_applies_filters_and_ignores_unknown_ids(index: LexicalIndex) -> None:
    index.upsert(
        [
            record("a", "alpha", collection="pubmed", year=2001),
            record("b", "beta", collection="labels", year=2020),
            record("c", "gamma", collection="pubmed"),
        ]
    )
    index.commit()
    assert index.lookup(["a", "b", "c", "zzz"]) == {"a": "doc-a", "b": "doc-b", "c": "doc-c"}
    assert index.lookup(["a", "b", "c"], SearchFilters(collections=("pubmed",))) == {
        "a": "doc-a",
        "c": "doc-c",
    }
    assert index.lookup(["a", "b", "c"], SearchFilters(year_min=2010)) == {"b": "doc-b"}
    assert index.lookup([]) == {}


def test_filters_do_not_change_scores(index: LexicalIndex) -> None:
    index.upsert([record("a", "gout gout allopurinol", collection="x"), record("b", "gout")])
    index.commit()
    plain = {h.passage_id: h.score for h in index.search("gout")}
    filtered = index.search("gout", filters=SearchFilters(collections=("x",)))
    assert [h.passage_id for h in filtered] == ["a"]
    assert filtered[0].score == pytest.approx(plain["a"])


# -- bm25s as an independent BM25 implementation --------------------------------------


def ndcg_at_10(ranked: list[str], relevant: dict[str, int]) -> float:
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    return dcg / sum(r / math.log2(i + 2) for i, r in enumerate(ideal))


@pytest.fixture(scope="module")
def scifact(shared_data: Path) -> tuple[list[dict], dict[str, str], dict[str, dict[str, int]]]:
    """SciFact corpus, the 300 test queries and their relevance judgements."""
    root = shared_data / "scifact"
    corpus = [json.loads(line) for line in (root / "corpus.jsonl").read_text().splitlines()]
    qrels: dict[str, dict[str, int]] = {}
    for line in (root / "qrels" / "test.tsv").read_text().splitlines()[1:]:
        qid, doc_id, score = line.split("\t")
        qrels.setdefault(qid, {})[doc_id] = int(score)
    lines = (root / "queries.jsonl").read_text().splitlines()
    texts = {q["_id"]: q["text"] for q in map(json.loads, lines)}
    return corpus, {qid: texts[qid] for qid in qrels}, qrels


def test_bm25_agrees_with_bm25s_on_scifact(tmp_path: Path, scifact) -> None:
    import bm25s

    corpus, queries, qrels = scifact
    qids = list(queries)

    # bm25s tokenises its own way (\w\w+, no single characters); only the Snowball English
    # stemmer is shared, taken from tantivy because PyStemmer is not a dependency.
    stem_one = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )
    stems: dict[str, str] = {}

    def stem(words: list[str]) -> list[str]:
        return [stems.get(w) or stems.setdefault(w, stem_one.analyze(w)[0]) for w in words]

    def tokenize(texts: list[str]):
        return bm25s.tokenize(texts, stopwords=None, stemmer=stem, show_progress=False)

    oracle = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    oracle.index(tokenize([f"{d['title']}\n{d['text']}" for d in corpus]), show_progress=False)
    found, _ = oracle.retrieve(
        tokenize([queries[q] for q in qids]), k=10, show_progress=False, n_threads=1
    )
    expected = {q: [corpus[i]["_id"] for i in found[n]] for n, q in enumerate(qids)}

    index = LexicalIndex(tmp_path)
    index.upsert(
        IndexRecord(d["_id"], d["_id"], d["title"], d["text"], "scifact", "other", None)
        for d in corpus
    )
    index.commit()
    actual = {q: [h.doc_id for h in index.search(queries[q], k=10)] for q in qids}
    index.close()

    overlap = sum(len(set(actual[q]) & set(expected[q])) for q in qids) / (10 * len(qids))
    assert overlap >= 0.8
    ndcg = {
        name: sum(ndcg_at_10(run[q], qrels[q]) for q in qids) / len(qids)
        for name, run in (("tantivy", actual), ("bm25s", expected))
    }
    assert abs(ndcg["tantivy"] - ndcg["bm25s"]) <= 0.03
    assert ndcg["tantivy"] >= 0.65  # published BEIR BM25 on SciFact: 0.665


def test_an_index_with_another_schema_is_reported(tmp_path: Path) -> None:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("old")
    tantivy.Index(builder.build(), path=str(tmp_path))
    with pytest.raises(IndexNotReady, match="Delete the directory"):
        LexicalIndex(tmp_path)

"""The contract every :class:`~medcite.index.base.SearchBackend` passes, shipped as a mixin.

Subclass it in a test module and override two fixtures::

    class TestMyBackend(SearchBackendContract):
        @pytest.fixture
        def backend(self, tmp_path):
            backend = MyBackend(tmp_path)
            yield backend
            backend.close()

        @pytest.fixture
        def reopen(self, tmp_path):
            def reopen(backend):
                backend.close()
                return MyBackend(tmp_path)
            return reopen

``backend`` yields an empty backend; ``reopen`` closes a backend and opens a new one on the
same storage. Vectors come from :class:`HashingEmbedder`, a deterministic bag-of-words
stand-in: the contract is about the backend, not the model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from medcite.index.base import SearchBackend, SearchMode
from medcite.models import IndexRecord, ScoredId, SearchFilters

Reopen = Callable[[SearchBackend], SearchBackend]


class HashingEmbedder:
    """Deterministic fake :class:`~medcite.index.base.Embedder`: hashed bag of words.

    Texts sharing words get similar vectors, so nearest neighbours behave sensibly; a text
    without words maps to a fixed unit vector.
    """

    model_id = "hashing-bow-64"
    dim = 64

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in zip(out, texts, strict=True):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                row[digest[0] % self.dim] += 1.0 if digest[1] & 1 else -1.0
            norm = np.linalg.norm(row)
            if norm:
                row /= norm
            else:
                row[0] = 1.0
        return out


def _record(pid: str, doc: str, title: str, text: str, coll: str, level: str, year: int | None):
    return IndexRecord(pid, doc, title, text, coll, level, year)


RECORDS = (
    _record(
        "p1",
        "d1",
        "Metformin in type 2 diabetes",
        "Metformin lowers HbA1c in adults with type 2 diabetes.",
        "pubmed",
        "rct",
        2019,
    ),
    _record(
        "p2",
        "d1",
        "Metformin in type 2 diabetes",
        "Gastrointestinal side effects of metformin are common.",
        "pubmed",
        "rct",
        2019,
    ),
    _record(
        "p3",
        "d2",
        "Statins and muscle symptoms",
        "Statin therapy can cause muscle pain and myopathy.",
        "pubmed",
        "cohort",
        2012,
    ),
    _record(
        "p4",
        "d3",
        "Gout management guideline",
        "Allopurinol is first-line urate-lowering therapy for gout.",
        "guidelines",
        "guideline",
        2020,
    ),
    _record(
        "p5",
        "d4",
        "Flu shots",
        "Annual influenza vaccination reduces hospital admissions in older adults.",
        "medquad",
        "consumer",
        None,
    ),
    _record(
        "p6",
        "d5",
        "Warfarin label",
        "Warfarin interacts with many antibiotics and raises the INR during therapy.",
        "labels",
        "label",
        2016,
    ),
)

HOSTILE_QUERIES = (
    "",
    "   \n\t",
    '"',
    '"unbalanced quote',
    "AND",
    "OR NOT AND",
    "metformin AND NOT",
    "title:metformin",
    "text:",
    "(((",
    ")))",
    "[1 TO 5]",
    "{* TO *}",
    "a+b-c!d",
    "metformin^2 ~ * ? \\",
    "gout~2 allo*",
    "/regex.*/",
    "'single'",
    "<script>alert(1)</script>",
    "\x00\x01",
    "é ü ß 中文 🙂",
    "?",
    "-",
    "--metformin",
    "statin " * 3000,
    "(a) [b] {c} ^d ~e :f +g -h !i &&j ||k " * 300,
)


def _text(record: IndexRecord) -> str:
    return f"{record.title}\n{record.text}"


def _ids(hits: Sequence[ScoredId]) -> list[str]:
    return [hit.passage_id for hit in hits]


class SearchBackendContract:
    """Mixin of contract tests; see the module docstring for the fixtures to override."""

    @pytest.fixture
    def backend(self) -> SearchBackend:
        raise NotImplementedError("override the `backend` fixture to yield an empty backend")

    @pytest.fixture
    def reopen(self) -> Reopen:
        raise NotImplementedError("override the `reopen` fixture (close, open on same storage)")

    @pytest.fixture
    def embedder(self) -> HashingEmbedder:
        return HashingEmbedder()

    @pytest.fixture
    def filled(self, backend: SearchBackend) -> SearchBackend:
        """The backend holding :data:`RECORDS`, committed, without vectors."""
        assert backend.upsert(RECORDS) == len(RECORDS)
        backend.commit()
        return backend

    @pytest.fixture
    def vectorised(self, filled: SearchBackend, embedder: HashingEmbedder) -> SearchBackend:
        """:data:`RECORDS` committed, each with a vector."""
        filled.set_vectors(
            [r.passage_id for r in RECORDS], embedder.embed([_text(r) for r in RECORDS])
        )
        filled.commit()
        return filled

    # -- writes and visibility ----------------------------------------------------------

    def test_upsert_then_commit_makes_passages_searchable(self, filled: SearchBackend) -> None:
        assert filled.count() == len(RECORDS)
        hits = filled.search("allopurinol for gout", k=3)
        assert hits[0].passage_id == "p4"
        assert hits[0].doc_id == "d3"
        assert hits[0].score > 0

    def test_uncommitted_writes_are_invisible(
        self, backend: SearchBackend, embedder: HashingEmbedder
    ) -> None:
        backend.upsert(RECORDS)
        assert backend.count() == 0
        assert backend.search("metformin", k=5) == []
        backend.commit()
        backend.delete_passages(["p1"])
        backend.set_vectors(["p2"], embedder.embed([_text(RECORDS[1])]))
        assert backend.count() == len(RECORDS)
        assert "p1" in _ids(backend.search("metformin", k=5))
        assert backend.vector_count() == 0

    def test_upsert_same_id_replaces_the_passage(self, filled: SearchBackend) -> None:
        changed = _record(
            "p1", "d1", "Bone health", "Zoledronic acid for osteoporosis.", "pubmed", "rct", 2019
        )
        filled.upsert([changed])
        filled.commit()
        assert filled.count() == len(RECORDS)
        assert _ids(filled.search("zoledronic", k=5)) == ["p1"]
        assert "p1" not in _ids(filled.search("hba1c", k=5))

    def test_upsert_same_id_twice_before_commit_keeps_one(self, backend: SearchBackend) -> None:
        first, second = RECORDS[0], _record("p1", "d1", "t", "Zoledronic acid.", "x", "y", None)
        backend.upsert([first])
        backend.upsert([second])
        backend.commit()
        assert backend.count() == 1
        assert _ids(backend.search("zoledronic", k=5)) == ["p1"]
        assert backend.search("metformin", k=5) == []

    def test_delete_removes_passages_and_ignores_unknown_ids(self, filled: SearchBackend) -> None:
        assert filled.delete_passages(["p3", "no-such-passage"]) == 2
        filled.commit()
        assert filled.count() == len(RECORDS) - 1
        assert "p3" not in _ids(filled.search("statin myopathy", k=10))

    # -- lexical ranking and robustness -------------------------------------------------

    def test_rare_query_term_ranks_its_passage_first(self, filled: SearchBackend) -> None:
        # "therapy" occurs in three passages, "warfarin" in one.
        hits = filled.search("warfarin therapy", k=10)
        assert hits[0].passage_id == "p6"
        assert {"p3", "p4"} <= set(_ids(hits[1:]))

    def test_results_are_best_first_and_at_most_k(self, filled: SearchBackend) -> None:
        hits = filled.search("metformin therapy diabetes gout statin", k=3)
        assert len(hits) == 3
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_stemming_matches_inflections(self, filled: SearchBackend) -> None:
        assert _ids(filled.search("vaccinations reducing admission", k=1)) == ["p5"]

    @pytest.mark.parametrize("query", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
    def test_hostile_queries_never_raise(
        self, vectorised: SearchBackend, embedder: HashingEmbedder, query: str
    ) -> None:
        vector = embedder.embed([query])[0]
        for mode in ("bm25", "hybrid"):
            hits = vectorised.search(query, k=5, mode=mode, vector=vector)
            assert all(isinstance(h, ScoredId) for h in hits)
            assert len(hits) <= 5

    def test_query_without_words_finds_nothing(self, filled: SearchBackend) -> None:
        assert filled.search("", k=5) == []
        assert filled.search("?! ()", k=5) == []

    def test_very_long_query_still_ranks(self, filled: SearchBackend) -> None:
        query = "allopurinol gout " + "lorem ipsum dolor " * 600
        assert len(query) > 10_000
        assert filled.search(query, k=1)[0].passage_id == "p4"

    # -- filters ------------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("filters", "allowed"),
        [
            (SearchFilters(collections=("guidelines",)), {"p4"}),
            (SearchFilters(collections=("labels", "medquad")), {"p5", "p6"}),
            (SearchFilters(evidence_levels=("rct",)), {"p1", "p2"}),
            (SearchFilters(year_min=2015, year_max=2019), {"p1", "p2", "p6"}),
            (SearchFilters(year_min=2019), {"p1", "p2", "p4"}),
            (SearchFilters(year_max=2012), {"p3"}),
            (SearchFilters(collections=("pubmed",), year_max=2015), {"p3"}),
        ],
    )
    @pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
    def test_filters_restrict_every_mode(
        self,
        vectorised: SearchBackend,
        embedder: HashingEmbedder,
        filters: SearchFilters,
        allowed: set[str],
        mode: SearchMode,
    ) -> None:
        query = "metformin statin gout influenza warfarin therapy adults"
        vector = embedder.embed([query])[0]
        hits = vectorised.search(query, k=10, mode=mode, vector=vector, filters=filters)
        assert set(_ids(hits)) == allowed

    def test_empty_filters_change_nothing(self, filled: SearchBackend) -> None:
        query = "therapy"
        assert filled.search(query, k=10, filters=SearchFilters()) == filled.search(query, k=10)

    # -- dense and hybrid ---------------------------------------------------------------

    def test_dense_search_returns_nearest_by_cosine(
        self, vectorised: SearchBackend, embedder: HashingEmbedder
    ) -> None:
        assert vectorised.vector_count() == len(RECORDS)
        vector = embedder.embed([_text(RECORDS[3])])[0]
        hits = vectorised.search("", k=3, mode="dense", vector=vector)
        assert hits[0].passage_id == "p4"
        assert hits[0].doc_id == "d3"
        assert hits[0].score == pytest.approx(1.0, abs=1e-2)
        assert all(-1.0 - 1e-3 <= h.score <= 1.0 + 1e-3 for h in hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_dense_and_hybrid_need_a_query_vector_once_vectors_exist(
        self, vectorised: SearchBackend
    ) -> None:
        for mode in ("dense", "hybrid"):
            with pytest.raises(ValueError, match="query vector"):
                vectorised.search("metformin", mode=mode)
        with pytest.raises(ValueError, match="unknown search mode"):
            vectorised.search("metformin", mode="fuzzy")  # type: ignore[arg-type]

    def test_selective_filter_still_fills_k_in_dense_mode(
        self, backend: SearchBackend, embedder: HashingEmbedder
    ) -> None:
        many = [
            _record(f"n{i}", f"dn{i}", "Noise", f"common words sample {i}", "noise", "other", 2000)
            for i in range(300)
        ]
        records = [*many, *RECORDS]
        backend.upsert(records)
        backend.set_vectors(
            [r.passage_id for r in records], embedder.embed([_text(r) for r in records])
        )
        backend.commit()
        vector = embedder.embed(["common words sample"])[0]
        hits = backend.search(
            "",
            k=4,
            mode="dense",
            vector=vector,
            filters=SearchFilters(collections=("pubmed", "labels")),
        )
        assert set(_ids(hits)) == {"p1", "p2", "p3", "p6"}

    def test_hybrid_lets_passages_without_vectors_compete(
        self, filled: SearchBackend, embedder: HashingEmbedder
    ) -> None:
        with_vectors = [r for r in RECORDS if r.passage_id != "p4"]
        filled.set_vectors(
            [r.passage_id for r in with_vectors], embedder.embed([_text(r) for r in with_vectors])
        )
        filled.commit()
        assert filled.vector_count() == len(RECORDS) - 1
        assert filled.vector_ids() == {r.passage_id for r in with_vectors}
        query = "allopurinol gout"
        hits = filled.search(query, k=3, mode="hybrid", vector=embedder.embed([query])[0])
        assert hits[0].passage_id == "p4"
        dense = filled.search(query, k=10, mode="dense", vector=embedder.embed([query])[0])
        assert "p4" not in _ids(dense)

    def test_hybrid_fuses_both_retrievers(
        self, vectorised: SearchBackend, embedder: HashingEmbedder
    ) -> None:
        # Lexically only p1 has "hba1c"; the vector points at p5's text.
        vector = embedder.embed([_text(RECORDS[4])])[0]
        hits = vectorised.search("hba1c", k=len(RECORDS), mode="hybrid", vector=vector)
        assert set(_ids(hits[:2])) == {"p1", "p5"}
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)

    def test_hybrid_without_any_vectors_is_bm25(self, filled: SearchBackend) -> None:
        query = "metformin therapy"
        assert _ids(filled.search(query, k=5, mode="hybrid")) == _ids(filled.search(query, k=5))

    def test_reupsert_drops_the_vector_and_delete_removes_it(
        self, vectorised: SearchBackend, embedder: HashingEmbedder
    ) -> None:
        vectorised.upsert([RECORDS[0]])
        vectorised.delete_passages(["p2"])
        vectorised.commit()
        assert vectorised.vector_ids() == {"p3", "p4", "p5", "p6"}
        vector = embedder.embed([_text(RECORDS[0])])[0]
        hits = vectorised.search("", k=10, mode="dense", vector=vector)
        assert not {"p1", "p2"} & set(_ids(hits))

    # -- persistence --------------------------------------------------------------------

    def test_reopen_returns_the_same_results(
        self, vectorised: SearchBackend, embedder: HashingEmbedder, reopen: Reopen
    ) -> None:
        query = "metformin therapy gout"
        vector = embedder.embed([query])[0]
        modes: tuple[SearchMode, ...] = ("bm25", "dense", "hybrid")
        before = {mode: vectorised.search(query, k=5, mode=mode, vector=vector) for mode in modes}
        again = reopen(vectorised)
        assert again.count() == len(RECORDS)
        assert again.vector_count() == len(RECORDS)
        for mode, hits in before.items():
            after = again.search(query, k=5, mode=mode, vector=vector)
            assert _ids(after) == _ids(hits)
            assert [h.score for h in after] == pytest.approx([h.score for h in hits], abs=1e-4)

"""The scale-out search backend: one Milvus (>= 2.5) collection through pymilvus.

Selected by one setting, ``MEDCITE_SEARCH_URI=http://host:19530`` (plus
``MEDCITE_SEARCH_TOKEN``); the same code runs on Milvus Standalone, Distributed and the
``milvus-lite server`` the tests start.

Schema, one row per passage: ``passage_id`` (primary key), ``doc_id``, ``body`` (analysed
text, input of Milvus's BM25 function), ``sparse`` (BM25 output), ``dense`` (the vector),
``has_vector``, ``collection``, ``evidence_level``, ``year`` (nullable).

Ranking agreement with the embedded backend: ``body`` holds the passage's terms as tantivy's
``en_stem`` analyser produces them (:func:`medcite.index.lexical.query_terms` on queries), joined
by spaces, and Milvus's ``standard`` analyser only splits them again. So both backends see the
very same terms, whatever stemming filters a Milvus build offers (milvus-lite ignores
``stemmer`` filters silently); BM25 uses the same ``k1`` and ``b`` as tantivy. Scores still
differ slightly: tantivy quantises document lengths, and milvus-lite computes IDF per segment.

Milvus has no transactions, so writes are staged in this process and sent on
:meth:`commit`: uncommitted writes are invisible, and a crash before ``commit`` changes
nothing. A crash *during* commit can leave part of the batch applied; upserts are idempotent
(``sync_lexical`` marks passages indexed only after the commit), so re-running completes it.

Passages without a vector hold a placeholder and ``has_vector == false``; dense search filters
on ``has_vector``. Hybrid search runs the BM25 and the dense search and fuses them with the
same weighted RRF as the embedded backend (Milvus's ``RRFRanker`` cannot weight the dense votes
by vector coverage while embedding is still under way).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from medcite.config import Settings
from medcite.index.base import Embedder, SearchMode
from medcite.index.fusion import rrf
from medcite.index.lexical import ANALYZER, TANTIVY_VERSION, analyze, query_terms
from medcite.models import IndexRecord, ScoredId, SearchFilters

try:
    from pymilvus import DataType, Function, FunctionType, MilvusClient
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError("the Milvus backend needs pymilvus: pip install 'medcite[milvus]'") from exc

BM25_K1 = 1.2  # tantivy's values
BM25_B = 0.75
MILVUS_ANALYZER = {"tokenizer": "standard"}
_ROWS_PER_REQUEST = 1000
_IDS_PER_FILTER = 1000
_MAX_BODY = 65535
_FIELDS = ("passage_id", "doc_id", "body", "collection", "evidence_level", "year")


class MilvusBackend:
    """:class:`~medcite.index.base.SearchBackend` on a Milvus collection.

    :param uri: Milvus address, e.g. ``http://127.0.0.1:19530``.
    :param token: Milvus token (``user:password`` or an API key), if the server needs one.
    :param collection: collection name; created on first use.
    :param dim: dense vector size, used when the collection is created.
    :param candidates: per-retriever depth before hybrid fusion.
    :param rrf_k: reciprocal rank fusion constant.
    """

    def __init__(
        self,
        uri: str,
        *,
        token: str | None = None,
        collection: str = "medcite_passages",
        dim: int = 384,
        name: str = "milvus",
        candidates: int = 100,
        rrf_k: int = 60,
    ) -> None:
        self.name = name
        self.uri = uri
        self.collection = collection
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._client = MilvusClient(uri=uri, token=token or "")
        if not self._client.has_collection(collection):
            self._create(dim)
        self.dim = _dense_dim(self._client.describe_collection(collection))
        # milvus-lite re-indexes unsealed rows on every search (measured: 4 s per BM25 query
        # at 60k passages, 0.6 s once flushed), so commits seal them there. Milvus proper
        # searches growing segments itself and rate-limits flush (0.1/s per collection).
        self._flush_on_commit = "lite" in str(self._client.get_server_version()).lower()
        self._upserts: dict[str, dict[str, Any]] = {}
        self._deletes: set[str] = set()
        self._vectors: dict[str, np.ndarray] = {}

    # -- writes (staged until commit) ---------------------------------------------------

    def upsert(self, records: Iterable[IndexRecord]) -> int:
        """Stage ``records``, replacing passages (and dropping vectors) with the same id."""
        count = 0
        for record in records:
            self._upserts[record.passage_id] = self._row(record)
            self._deletes.discard(record.passage_id)
            self._vectors.pop(record.passage_id, None)
            count += 1
        return count

    def delete_passages(self, passage_ids: Iterable[str]) -> int:
        """Stage removal of passages. Returns how many ids were given."""
        count = 0
        for pid in passage_ids:
            self._deletes.add(pid)
            self._upserts.pop(pid, None)
            self._vectors.pop(pid, None)
            count += 1
        return count

    def set_vectors(self, passage_ids: Sequence[str], vectors: np.ndarray) -> None:
        """Stage L2-normalised ``vectors`` (one row per id) for indexed passages."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or len(vectors) != len(passage_ids):
            raise ValueError(f"vectors must be 2-D with one row per id, got {vectors.shape}")
        if vectors.shape[1] != self.dim:
            raise ValueError(
                f"vectors have {vectors.shape[1]} dimensions; the Milvus collection "
                f"{self.collection!r} holds {self.dim} (set MEDCITE_SCALE__VECTOR_DIM for a "
                "new collection)"
            )
        if not np.isfinite(vectors).all():
            raise ValueError("vectors contain NaN or infinity")
        self._vectors.update(zip(passage_ids, vectors, strict=True))

    def commit(self) -> None:
        """Send staged deletions, then upserts (with their vectors), to Milvus."""
        for chunk in _chunks(sorted(self._deletes), _IDS_PER_FILTER):
            self._client.delete(self.collection, ids=chunk)
        rows = self._upserts
        rows.update(self._committed_rows([p for p in self._vectors if p not in rows]))
        for pid, vector in self._vectors.items():
            if pid in rows:
                rows[pid].update(dense=vector.tolist(), has_vector=True)
        for chunk in _chunks(list(rows.values()), _ROWS_PER_REQUEST):
            self._client.upsert(self.collection, chunk)
        if self._flush_on_commit and (rows or self._deletes):
            self._client.flush(self.collection)
        self._upserts, self._deletes, self._vectors = {}, set(), {}

    # -- reads --------------------------------------------------------------------------

    def search(
        self,
        text: str,
        *,
        k: int = 10,
        mode: SearchMode = "bm25",
        vector: np.ndarray | None = None,
        filters: SearchFilters | None = None,
    ) -> list[ScoredId]:
        """Best ``k`` passages, best first (modes as in the embedded backend).

        :raises ValueError: unknown ``mode``, or ``dense``/``hybrid`` over a collection with
            vectors but no query ``vector``.
        """
        if mode not in ("bm25", "dense", "hybrid"):
            raise ValueError(f"unknown search mode {mode!r}; use bm25, dense or hybrid")
        with_vectors = self.vector_count() if mode == "hybrid" else None
        if mode == "bm25" or with_vectors == 0:
            return self._bm25(text, k, filters)
        if vector is None:
            raise ValueError(f"{mode} search needs a query vector")
        if mode == "dense":
            return self._dense(vector, k, filters)
        depth = max(k, self.candidates)
        lexical = self._bm25(text, depth, filters)
        dense = self._dense(vector, depth, filters)
        coverage = min(1.0, (with_vectors or 0) / max(1, self.count()))
        return rrf([lexical, dense], k=self.rrf_k, limit=k, weights=[1.0, coverage])

    def count(self) -> int:
        """Committed passages."""
        return self._count("")

    def vector_count(self) -> int:
        """Committed passages with a vector."""
        return self._count("has_vector == true")

    def vector_ids(self) -> set[str]:
        """Ids of passages with a committed vector."""
        return set(self._iter_ids("has_vector == true"))

    def describe(self) -> dict[str, Any]:
        """Build parameters for the index manifest: the terms come from tantivy's analyser."""
        return {"analyzer": ANALYZER, "tantivy_version": TANTIVY_VERSION}

    def close(self) -> None:
        """Drop staged writes and the connection."""
        self._upserts, self._deletes, self._vectors = {}, set(), {}
        self._client.close()

    def drop(self) -> None:
        """Delete the whole collection (tests and rebuilds)."""
        self._client.drop_collection(self.collection)

    # -- internals ----------------------------------------------------------------------

    def _create(self, dim: int) -> None:
        schema = self._client.create_schema(auto_id=False)
        schema.add_field("passage_id", DataType.VARCHAR, max_length=512, is_primary=True)
        schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
        schema.add_field(
            "body",
            DataType.VARCHAR,
            max_length=_MAX_BODY,
            enable_analyzer=True,
            analyzer_params=MILVUS_ANALYZER,
        )
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("has_vector", DataType.BOOL)
        schema.add_field("collection", DataType.VARCHAR, max_length=256)
        schema.add_field("evidence_level", DataType.VARCHAR, max_length=64)
        schema.add_field("year", DataType.INT32, nullable=True)
        schema.add_function(
            Function(
                name="body_bm25",
                function_type=FunctionType.BM25,
                input_field_names=["body"],
                output_field_names=["sparse"],
            )
        )
        index = self._client.prepare_index_params()
        index.add_index(
            "sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": BM25_K1, "bm25_b": BM25_B},
        )
        index.add_index(
            "dense",
            index_type="HNSW",
            metric_type="COSINE",
            params={"M": 16, "efConstruction": 200},
        )
        self._client.create_collection(
            self.collection, schema=schema, index_params=index, consistency_level="Strong"
        )

    def _row(self, record: IndexRecord) -> dict[str, Any]:
        body = " ".join(analyze(f"{record.title}\n{record.text}"))
        placeholder = [0.0] * self.dim
        placeholder[0] = 1.0  # COSINE needs a non-zero vector; has_vector keeps it out
        return {
            "passage_id": record.passage_id,
            "doc_id": record.doc_id,
            "body": _truncate_utf8(body, _MAX_BODY),
            "dense": placeholder,
            "has_vector": False,
            "collection": record.collection,
            "evidence_level": record.evidence_level,
            "year": record.year,
        }

    def _committed_rows(self, passage_ids: list[str]) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(passage_ids, _IDS_PER_FILTER):
            for row in self._client.get(self.collection, ids=chunk, output_fields=list(_FIELDS)):
                rows[row["passage_id"]] = {name: row.get(name) for name in _FIELDS}
        return rows

    def _bm25(self, text: str, k: int, filters: SearchFilters | None) -> list[ScoredId]:
        terms = query_terms(text)
        if not terms:
            return []
        found = self._client.search(
            self.collection,
            data=[" ".join(terms)],
            anns_field="sparse",
            limit=k,
            filter=_expression(filters),
            output_fields=["doc_id"],
            search_params={"metric_type": "BM25"},
        )
        # BM25 scores are positive; milvus-lite reports them negated.
        hits = [
            ScoredId(h["passage_id"], h["entity"]["doc_id"], abs(h["distance"])) for h in found[0]
        ]
        return sorted(hits, key=lambda h: (-h.score, h.passage_id))

    def _dense(self, vector: np.ndarray, k: int, filters: SearchFilters | None) -> list[ScoredId]:
        condition = _expression(filters)
        found = self._client.search(
            self.collection,
            data=[np.asarray(vector, dtype=np.float32).tolist()],
            anns_field="dense",
            limit=k,
            filter=f"has_vector == true and ({condition})" if condition else "has_vector == true",
            output_fields=["doc_id"],
            # A selective filter leaves few eligible nodes on the HNSW graph; a wider beam keeps
            # the search from stopping short of k of them.
            search_params={
                "metric_type": "COSINE",
                "params": {"ef": max(512 if condition else 64, k)},
            },
        )
        return [
            ScoredId(h["passage_id"], h["entity"]["doc_id"], float(h["distance"])) for h in found[0]
        ]

    def _count(self, condition: str) -> int:
        rows = self._client.query(self.collection, filter=condition, output_fields=["count(*)"])
        return int(rows[0]["count(*)"])

    def _iter_ids(self, condition: str) -> Iterator[str]:
        iterator = self._client.query_iterator(
            self.collection, batch_size=10_000, filter=condition, output_fields=["passage_id"]
        )
        try:
            while batch := iterator.next():
                yield from (row["passage_id"] for row in batch)
        finally:
            iterator.close()


def _expression(filters: SearchFilters | None) -> str:
    """A Milvus boolean expression for ``filters`` ("" when there is nothing to filter)."""
    if filters is None or filters.empty:
        return ""
    clauses = []
    for field, values in (
        ("collection", filters.collections),
        ("evidence_level", filters.evidence_levels),
    ):
        if values:
            clauses.append(f"{field} in {json.dumps(list(values))}")
    if filters.year_min is not None:
        clauses.append(f"year >= {int(filters.year_min)}")
    if filters.year_max is not None:
        clauses.append(f"year <= {int(filters.year_max)}")
    return " and ".join(clauses)


def _dense_dim(description: dict[str, Any]) -> int:
    for field in description["fields"]:
        if field["name"] == "dense":
            return int(field["params"]["dim"])
    raise ValueError("the Milvus collection has no 'dense' field: not a medcite collection")


def _truncate_utf8(text: str, limit: int) -> str:
    data = text.encode()
    return text if len(data) <= limit else data[:limit].decode(errors="ignore").rsplit(" ", 1)[0]


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def milvus_backend(
    settings: Settings, load_embedder: Callable[[], Embedder | None]
) -> MilvusBackend:
    """The backend ``Engine`` uses when ``settings.search_uri`` is set.

    The dense field's size (used when the collection is created) is ``scale.vector_dim``,
    else the configured embedder's, else all-MiniLM-L6-v2's 384.
    """
    assert settings.search_uri, "milvus_backend needs settings.search_uri"
    # The index manifest and the vector cache stay local, in the index directory.
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    dim = settings.scale.vector_dim
    if dim is None:
        embedder = load_embedder()
        dim = embedder.dim if embedder is not None else 384
    return MilvusBackend(
        settings.search_uri,
        token=settings.search_token.get_secret_value() if settings.search_token else None,
        collection=settings.scale.milvus_collection,
        dim=dim,
        candidates=settings.search.candidates,
        rrf_k=settings.search.rrf_k,
    )

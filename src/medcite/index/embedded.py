"""The default search backend: tantivy BM25 plus usearch HNSW in one local directory.

Layout: ``<path>/lexical`` (tantivy), ``<path>/vectors`` (see :mod:`medcite.index.vectors`);
the index manifest is written next to them by the caller.

Dense results are filtered and given their ``doc_id`` by one tantivy lookup of the
candidate passage ids (the metadata lives only in tantivy), over-fetching from the HNSW
graph until ``k`` survive the filters or the graph is exhausted. The same lookup drops
vectors whose passage has left the lexical index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medcite.index.base import SearchMode
from medcite.index.fusion import rrf
from medcite.index.lexical import ANALYZER, TANTIVY_VERSION, LexicalIndex
from medcite.index.vectors import VectorIndex
from medcite.models import IndexRecord, ScoredId, SearchFilters

if TYPE_CHECKING:  # numpy loads with the vectors, not with BM25
    import numpy as np

# Filtered dense search asks the graph for this many times ``k`` first, then 4x more per round.
_OVERFETCH = 4


class EmbeddedBackend:
    """:class:`~medcite.index.base.SearchBackend` on local files, no server.

    Modes: ``bm25``; ``dense`` (needs ``vector``); ``hybrid``, which fuses the top
    ``candidates`` of each by reciprocal rank fusion (constant ``rrf_k``), so passages
    without a vector still compete through BM25, and which is plain BM25 while the index
    holds no vectors. Re-upserting a passage drops its vector (it may describe old text):
    set vectors after upserting their passages. Writes are visible after :meth:`commit`,
    which commits BM25 first, then vectors; a crash between the two leaves vectors of
    deleted passages behind, which search ignores.

    :param path: index directory (created if missing).
    :param name: backend name recorded in the index manifest.
    :param candidates: per-retriever depth before hybrid fusion.
    :param rrf_k: reciprocal rank fusion constant.
    """

    def __init__(
        self, path: Path, *, name: str = "embedded", candidates: int = 100, rrf_k: int = 60
    ) -> None:
        self.name = name
        self.path = path
        self.candidates = candidates
        self.rrf_k = rrf_k
        self._lexical = LexicalIndex(path / "lexical")
        self._vectors = VectorIndex(path / "vectors")

    def upsert(self, records: Iterable[IndexRecord]) -> int:
        """Stage ``records``, replacing passages (and dropping vectors) with the same id."""
        records = list(records)
        self._vectors.delete(r.passage_id for r in records)
        return self._lexical.upsert(records)

    def delete_passages(self, passage_ids: Iterable[str]) -> int:
        """Stage removal of passages and their vectors. Returns how many ids were given."""
        passage_ids = list(passage_ids)
        self._vectors.delete(passage_ids)
        return self._lexical.delete(passage_ids)

    def set_vectors(self, passage_ids: Sequence[str], vectors: np.ndarray) -> None:
        """Stage L2-normalised ``vectors`` (one row per id) for indexed passages."""
        self._vectors.set(passage_ids, vectors)

    def commit(self) -> None:
        """Make staged writes durable and searchable (BM25 first, then vectors)."""
        self._lexical.commit()
        self._vectors.commit()

    def search(
        self,
        text: str,
        *,
        k: int = 10,
        mode: SearchMode = "bm25",
        vector: np.ndarray | None = None,
        filters: SearchFilters | None = None,
    ) -> list[ScoredId]:
        """Best ``k`` passages, best first; see the class docstring for the modes.

        :raises ValueError: unknown ``mode``, or ``dense``/``hybrid`` over an index with
            vectors but no query ``vector``.
        """
        if mode not in ("bm25", "dense", "hybrid"):
            raise ValueError(f"unknown search mode {mode!r}; use bm25, dense or hybrid")
        if mode == "bm25" or (mode == "hybrid" and not self._vectors.count()):
            return self._lexical.search(text, k=k, filters=filters)
        if vector is None:
            raise ValueError(f"{mode} search needs a query vector")
        if mode == "dense":
            return self._dense(vector, k, filters)
        depth = max(k, self.candidates)
        lexical = self._lexical.search(text, k=depth, filters=filters)
        dense = self._dense(vector, depth, filters)
        # While vectors are being added, the dense ranking only sees part of the corpus: its
        # votes count in proportion, so a 5% sample cannot push BM25's best hits aside.
        coverage = min(1.0, self._vectors.count() / max(1, self._lexical.count()))
        return rrf([lexical, dense], k=self.rrf_k, limit=k, weights=[1.0, coverage])

    def count(self) -> int:
        """Committed passages."""
        return self._lexical.count()

    def vector_count(self) -> int:
        """Committed vectors."""
        return self._vectors.count()

    def vector_ids(self) -> set[str]:
        """Ids of passages with a committed vector."""
        return self._vectors.ids()

    def describe(self) -> dict[str, Any]:
        """Build parameters for the index manifest."""
        return {"analyzer": ANALYZER, "tantivy_version": TANTIVY_VERSION}

    def close(self) -> None:
        """Release the index writer; uncommitted writes are discarded."""
        self._lexical.close()
        self._vectors.rollback()

    def _dense(self, vector: np.ndarray, k: int, filters: SearchFilters | None) -> list[ScoredId]:
        fetch = k if filters is None or filters.empty else _OVERFETCH * k
        while True:
            nearest = self._vectors.search(vector, fetch)
            doc_ids = self._lexical.lookup([pid for pid, _ in nearest], filters)
            found = [ScoredId(pid, doc_ids[pid], sim) for pid, sim in nearest if pid in doc_ids]
            if len(found) >= k or len(nearest) < fetch:
                return found[:k]
            fetch *= _OVERFETCH

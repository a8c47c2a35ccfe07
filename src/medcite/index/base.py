"""Interfaces of the index stage: a search backend and an embedder.

Every backend (embedded tantivy + usearch, Milvus) passes the contract suite in
:mod:`medcite.testing.backend_contract`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from medcite.models import IndexRecord, ScoredId, SearchFilters

if TYPE_CHECKING:  # numpy loads with the vectors, not with BM25
    import numpy as np

SearchMode = Literal["bm25", "dense", "hybrid"]


@runtime_checkable
class SearchBackend(Protocol):
    """Stores passages for lexical (BM25) and, optionally, dense search.

    Writes become visible only after :meth:`commit`, which is atomic: a crash before it
    leaves the previously committed state searchable and intact.
    """

    name: str

    def upsert(self, records: Iterable[IndexRecord]) -> int:
        """Add passages, replacing any with the same ``passage_id``. Returns how many.

        A replaced passage loses its dense vector (it may describe the old text) until
        :meth:`set_vectors` gives it one again."""
        ...

    def delete_passages(self, passage_ids: Iterable[str]) -> int:
        """Remove passages by id (unknown ids are ignored). Returns how many were asked."""
        ...

    def set_vectors(self, passage_ids: Sequence[str], vectors: np.ndarray) -> None:
        """Attach dense vectors (rows of ``vectors``, L2-normalised) to indexed passages."""
        ...

    def commit(self) -> None:
        """Make all writes since the last commit durable and searchable, atomically."""
        ...

    def search(
        self,
        text: str,
        *,
        k: int = 10,
        mode: SearchMode = "bm25",
        vector: np.ndarray | None = None,
        filters: SearchFilters | None = None,
    ) -> list[ScoredId]:
        """Best ``k`` passages, best first. ``hybrid`` fuses BM25 and dense by RRF;
        passages without vectors still compete through BM25. ``text`` is raw user text:
        backends sanitise it themselves and never raise on syntax characters."""
        ...

    def count(self) -> int:
        """Committed passages."""
        ...

    def vector_count(self) -> int:
        """Committed passages that have a dense vector."""
        ...

    def vector_ids(self) -> set[str]:
        """Ids of the committed passages that have a dense vector (what still needs one)."""
        ...

    def describe(self) -> dict[str, Any]:
        """Build parameters for the index manifest, e.g. ``analyzer`` and ``tantivy_version``."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Shape ``(len(texts), dim)``, float32, rows L2-normalised."""
        ...

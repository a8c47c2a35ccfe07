"""EmbeddedBackend (tantivy + usearch): the shared contract plus what is specific to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from medcite.index.base import SearchBackend
from medcite.index.embedded import EmbeddedBackend
from medcite.testing.backend_contract import (
    RECORDS,
    HashingEmbedder,
    Reopen,
    SearchBackendContract,
)


class TestEmbeddedBackendContract(SearchBackendContract):
    @pytest.fixture
    def backend(self, tmp_path: Path) -> Iterator[EmbeddedBackend]:
        backend = EmbeddedBackend(tmp_path / "index")
        yield backend
        backend.close()

    @pytest.fixture
    def reopen(self, tmp_path: Path) -> Iterator[Reopen]:
        opened: list[SearchBackend] = []

        def reopen(backend: SearchBackend) -> SearchBackend:
            backend.close()
            opened.append(EmbeddedBackend(tmp_path / "index"))
            return opened[-1]

        yield reopen
        for backend in opened:
            backend.close()


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    backend = EmbeddedBackend(tmp_path / "index")
    yield backend
    backend.close()


def test_is_a_search_backend(backend: EmbeddedBackend) -> None:
    assert isinstance(backend, SearchBackend)
    assert backend.describe()["analyzer"] == "en_stem"


def test_close_discards_uncommitted_writes(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    first = EmbeddedBackend(tmp_path)
    first.upsert(RECORDS[:2])
    first.commit()
    first.upsert(RECORDS[2:])
    first.set_vectors(["p1"], embedder.embed(["metformin"]))
    first.close()
    again = EmbeddedBackend(tmp_path)
    assert (again.count(), again.vector_count()) == (2, 0)
    again.close()


def test_vectors_of_the_wrong_shape_are_refused(backend: EmbeddedBackend) -> None:
    backend.upsert(RECORDS)
    backend.set_vectors(["p1"], np.ones((1, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="dimensions"):
        backend.set_vectors(["p2"], np.ones((1, 9), dtype=np.float32))
    with pytest.raises(ValueError, match="2-D"):
        backend.set_vectors(["p2", "p3"], np.ones((1, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="NaN"):
        backend.set_vectors(["p2"], np.full((1, 8), np.nan, dtype=np.float32))

"""MilvusBackend against a real ``milvus-lite server``: the shared contract plus its own parts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import numpy as np
import pytest

from medcite.index.base import SearchBackend
from medcite.index.lexical import TANTIVY_VERSION
from medcite.index.milvus import MilvusBackend
from medcite.models import SearchFilters
from medcite.testing.backend_contract import (
    RECORDS,
    HashingEmbedder,
    Reopen,
    SearchBackendContract,
)

pytestmark = pytest.mark.milvus


@pytest.fixture
def collection(milvus_uri: str) -> Iterator[str]:
    """A fresh collection name; the collection is dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    yield name
    cleanup = MilvusBackend(milvus_uri, collection=name, dim=HashingEmbedder.dim)
    cleanup.drop()
    cleanup.close()


def _open(uri: str, collection: str) -> MilvusBackend:
    return MilvusBackend(uri, collection=collection, dim=HashingEmbedder.dim)


class TestMilvusBackendContract(SearchBackendContract):
    @pytest.fixture
    def backend(self, milvus_uri: str, collection: str) -> Iterator[MilvusBackend]:
        backend = _open(milvus_uri, collection)
        yield backend
        backend.close()

    @pytest.fixture
    def reopen(self, milvus_uri: str, collection: str) -> Iterator[Reopen]:
        opened: list[SearchBackend] = []

        def reopen(backend: SearchBackend) -> SearchBackend:
            backend.close()
            opened.append(_open(milvus_uri, collection))
            return opened[-1]

        yield reopen
        for backend in opened:
            backend.close()


@pytest.fixture
def backend(milvus_uri: str, collection: str) -> Iterator[MilvusBackend]:
    backend = _open(milvus_uri, collection)
    yield backend
    backend.close()


def test_is_a_search_backend_with_the_embedded_analyser(backend: MilvusBackend) -> None:
    assert isinstance(backend, SearchBackend)
    assert backend.describe() == {"analyzer": "en_stem", "tantivy_version": TANTIVY_VERSION}


def test_close_discards_uncommitted_writes(milvus_uri: str, collection: str) -> None:
    first = _open(milvus_uri, collection)
    first.upsert(RECORDS[:2])
    first.commit()
    first.upsert(RECORDS[2:])
    first.set_vectors(["p1"], HashingEmbedder().embed(["metformin"]))
    first.close()
    again = _open(milvus_uri, collection)
    assert (again.count(), again.vector_count()) == (2, 0)
    again.close()


def test_vectors_of_the_wrong_shape_are_refused(backend: MilvusBackend) -> None:
    backend.upsert(RECORDS)
    with pytest.raises(ValueError, match="dimensions"):
        backend.set_vectors(["p2"], np.ones((1, 9), dtype=np.float32))
    with pytest.raises(ValueError, match="2-D"):
        backend.set_vectors(["p2", "p3"], np.ones((1, 64), dtype=np.float32))
    with pytest.raises(ValueError, match="NaN"):
        backend.set_vectors(["p2"], np.full((1, 64), np.nan, dtype=np.float32))


def test_a_collection_keeps_its_dimension_when_reopened(milvus_uri: str, collection: str) -> None:
    _open(milvus_uri, collection).close()
    again = MilvusBackend(milvus_uri, collection=collection, dim=999)
    assert again.dim == HashingEmbedder.dim
    again.close()


def test_filter_values_with_quotes_are_data_not_syntax(backend: MilvusBackend) -> None:
    backend.upsert(RECORDS)
    backend.commit()
    hostile = SearchFilters(collections=('x" or collection != "', "guidelines"))
    assert [h.passage_id for h in backend.search("gout therapy", k=10, filters=hostile)] == ["p4"]

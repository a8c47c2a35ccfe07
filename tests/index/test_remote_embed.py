"""RemoteEmbedder against a real OpenAI-compatible server: llama.cpp serving SmolLM2-135M."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from medcite.config import Settings
from medcite.index.embed import EmbedderUnavailable
from medcite.index.remote_embed import RemoteEmbedder
from medcite.service import Engine
from services import free_port, llama_server, smollm2_gguf

pytestmark = pytest.mark.llm

TEXTS = [
    "Metformin lowers HbA1c in adults with type 2 diabetes.",
    "Statin therapy can cause muscle pain and myopathy.",
    "Allopurinol is first-line urate-lowering therapy for gout.",
    "Annual influenza vaccination reduces hospital admissions.",
    "Warfarin interacts with many antibiotics.",
]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with llama_server(smollm2_gguf(), embedding=True) as server:
        yield server.url


# llama-cpp-python 0.3.36 serving a model without pooling (SmolLM2) answers wrong token
# vectors for every text but the first of a multi-text request (seen here: cosine ~0 to the
# same text sent alone), so these tests send one text per request (docs/deploy.md says so).
ONE_PER_REQUEST = 1


def test_vectors_are_normalised_and_in_the_callers_order(endpoint: str) -> None:
    embedder = RemoteEmbedder(endpoint, model="smollm2", batch=ONE_PER_REQUEST)
    assert embedder.model_id == "endpoint:smollm2"
    assert embedder.dim > 0
    vectors = embedder.embed(TEXTS)
    assert vectors.shape == (len(TEXTS), embedder.dim) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    one_by_one = np.vstack([embedder.embed([t]) for t in TEXTS])
    assert np.allclose(vectors, one_by_one, atol=1e-5)
    assert len({row.tobytes() for row in vectors}) == len(TEXTS)
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_a_wrong_path_fails_at_once_with_the_server_status(endpoint: str) -> None:
    with pytest.raises(EmbedderUnavailable, match="HTTP 404"):
        RemoteEmbedder(endpoint + "/nowhere", model="smollm2", retries=3)


def test_an_unreachable_endpoint_is_retried_then_reported() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(EmbedderUnavailable, match="after 3 attempts"):
        RemoteEmbedder(url, model="m", retries=2, timeout=2)


def test_engine_embeds_through_the_endpoint_and_searches_hybrid(
    endpoint: str, tmp_path: Path, write_jsonl
) -> None:
    rows = [{"id": f"r{i}", "title": "Note", "text": text} for i, text in enumerate(TEXTS)]
    corpus = write_jsonl(tmp_path / "c.jsonl", rows)
    settings = Settings(
        home=tmp_path / "home",
        scale={"embed_url": endpoint, "embed_model": "smollm2", "embed_batch": ONE_PER_REQUEST},
    )
    with Engine(settings) as engine:
        engine.ingest([corpus])
        report = engine.embed()
        assert report.embedded == len(TEXTS) and report.vectors == len(TEXTS)
        assert engine.manifest()["embedder_model_id"] == "endpoint:smollm2"
        hits = engine.search("allopurinol gout", k=3, mode="hybrid")
        assert hits[0].document.doc_id == "jsonl:r2"

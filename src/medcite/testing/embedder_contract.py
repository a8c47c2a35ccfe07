"""The contract every :class:`medcite.index.base.Embedder` passes, shipped as a mixin.

    class TestMyEmbedder(EmbedderContract):
        @pytest.fixture
        def embedder(self):
            return MyEmbedder()

medcite runs it on the ONNX embedder, the remote endpoint embedder and the hashing embedder the
backend contract uses (``tests/index/test_embedder_contract.py``, ``test_remote_embed.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from medcite.index.base import Embedder

TEXTS = (
    "Metformin lowers HbA1c in adults with type 2 diabetes.",
    "Statin therapy can cause muscle pain and myopathy.",
    "Allopurinol is first-line urate-lowering therapy for gout.",
    "Annual influenza vaccination reduces hospital admissions.",
)
# int8 models quantise activations per tensor, so batching may move a vector a little.
SAME_DIRECTION = 2e-3


class EmbedderContract:
    @pytest.fixture
    def embedder(self) -> Embedder:
        raise NotImplementedError("override the `embedder` fixture")

    def test_names_its_model_and_size(self, embedder: Embedder) -> None:
        assert embedder.model_id and embedder.dim > 0

    def test_unit_float32_rows_one_per_text(self, embedder: Embedder) -> None:
        vectors = embedder.embed(list(TEXTS))
        assert vectors.shape == (len(TEXTS), embedder.dim) and vectors.dtype == np.float32
        assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0] * len(TEXTS), abs=1e-4)
        assert embedder.embed([]).shape == (0, embedder.dim)

    def test_deterministic_and_in_the_callers_order(self, embedder: Embedder) -> None:
        together = embedder.embed(list(TEXTS))
        assert np.allclose(together, embedder.embed(list(TEXTS)), atol=1e-6)
        alone = np.vstack([embedder.embed([text]) for text in TEXTS])
        reversed_ = embedder.embed(list(TEXTS[::-1]))[::-1]
        for other in (alone, reversed_):
            cosines = (together * other).sum(axis=1)
            assert cosines == pytest.approx([1.0] * len(TEXTS), abs=SAME_DIRECTION)

    def test_different_texts_get_different_vectors(self, embedder: Embedder) -> None:
        vectors = embedder.embed(list(TEXTS))
        cosines = vectors @ vectors.T
        assert (cosines[~np.eye(len(TEXTS), dtype=bool)] < 1.0 - SAME_DIRECTION).all()

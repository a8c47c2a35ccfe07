"""Every embedder medcite ships or tests with passes the one embedder contract."""

from __future__ import annotations

import pytest

from medcite.index.embed import OnnxEmbedder
from medcite.testing.backend_contract import HashingEmbedder
from medcite.testing.embedder_contract import EmbedderContract


class TestHashingEmbedder(EmbedderContract):
    @pytest.fixture
    def embedder(self) -> HashingEmbedder:
        return HashingEmbedder()


@pytest.fixture(scope="module")
def onnx_embedder() -> OnnxEmbedder:
    return OnnxEmbedder()  # loads the model once for the class


@pytest.mark.dense
class TestOnnxEmbedder(EmbedderContract):
    @pytest.fixture
    def embedder(self, onnx_embedder: OnnxEmbedder) -> OnnxEmbedder:
        return onnx_embedder

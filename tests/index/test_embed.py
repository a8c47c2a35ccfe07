"""The MiniLM ONNX embedder: shape, normalisation, truncation, and that it embeds meaning."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from medcite.config import EmbedSettings
from medcite.index.embed import EmbedderUnavailable, OnnxEmbedder

LONG_TEXT = " ".join(
    f"Patient {i} received metformin, reported nausea, and had HbA1c measured at week {i}."
    for i in range(15)
)


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    return OnnxEmbedder()


def test_import_is_cheap() -> None:
    probe = (
        "import sys, medcite.index.embed; "
        "print(sorted({'onnxruntime', 'tokenizers'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_model_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(EmbedderUnavailable) as error:
        OnnxEmbedder(EmbedSettings(model_path=tmp_path / "missing.onnx"))
    message = str(error.value)
    assert "missing.onnx" in message
    assert "pip install 'medcite[dense]'" in message
    assert "\n" not in message


@pytest.mark.dense
def test_shape_dtype_and_unit_norm(embedder: OnnxEmbedder) -> None:
    vectors = embedder.embed(["metformin", "", LONG_TEXT])
    assert (vectors.shape, vectors.dtype) == ((3, embedder.dim), np.float32)
    assert embedder.dim == 384
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
    assert embedder.embed([]).shape == (0, 384)


@pytest.mark.dense
def test_deterministic_and_independent_of_batch_and_order(embedder: OnnxEmbedder) -> None:
    texts = ["statin myopathy", LONG_TEXT, "gout", "influenza vaccine in older adults"]
    together = embedder.embed(texts)
    assert np.array_equal(together, embedder.embed(texts))
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    # int8 activations are quantised per tensor, so padding shifts values a little.
    assert (together * alone).sum(axis=1) == pytest.approx([1.0] * 4, abs=2e-3)
    reversed_ = embedder.embed(texts[::-1])[::-1]
    assert (together * reversed_).sum(axis=1) == pytest.approx([1.0] * 4, abs=2e-3)


@pytest.mark.dense
def test_truncates_at_max_tokens_not_at_the_shipped_128(embedder: OnnxEmbedder) -> None:
    import tokenizers

    tokenizer = tokenizers.Tokenizer.from_file(str(embedder.tokenizer_path))
    tokenizer.no_truncation()
    ids = tokenizer.encode(LONG_TEXT).ids
    assert 300 <= len(ids) <= 512
    first_128 = tokenizer.decode(ids[1:127])  # [CLS] + 126 + [SEP] = 128 tokens
    full, prefix = embedder.embed([LONG_TEXT, first_128])
    assert float(full @ prefix) < 0.99
    short = OnnxEmbedder(EmbedSettings(max_tokens=128)).embed([LONG_TEXT, first_128])
    assert float(short[0] @ short[1]) > 0.999


@pytest.mark.dense
def test_a_question_is_nearest_its_own_abstract(embedder: OnnxEmbedder, shared_data: Path) -> None:
    root = shared_data / "pubmedqa"
    abstracts = {
        row["pmid"]: " ".join(row["contexts"])
        for row in map(json.loads, (root / "corpus.jsonl").read_text().splitlines())
    }
    dev = [json.loads(line) for line in (root / "dev.jsonl").read_text().splitlines()[:24]]
    questions = embedder.embed([row["question"] for row in dev])
    docs = embedder.embed([abstracts[row["pmid"]] for row in dev])
    similarity = questions @ docs.T
    own = np.diag(similarity)
    others = (similarity.sum(axis=1) - own) / (len(dev) - 1)
    assert (similarity.argmax(axis=1) == np.arange(len(dev))).mean() >= 0.9
    assert (own - others).mean() > 0.3

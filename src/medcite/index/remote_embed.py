"""An :class:`~medcite.index.base.Embedder` over an OpenAI-compatible ``/v1/embeddings`` endpoint.

Any server speaking the OpenAI embeddings API works: text-embeddings-inference, vLLM,
llama.cpp's server, Ollama, a hosted API. Selected by ``MEDCITE_SCALE__EMBED_URL`` (the base
URL, ending in ``/v1``) with ``MEDCITE_SCALE__EMBED_MODEL`` as the model id.

Texts go ``batch`` at a time; a request that fails with a connection error, a timeout, HTTP
429 or 5xx is retried with exponential backoff (0.5 s, 1 s, 2 s, ...); other HTTP errors
(a wrong model id, a text too long) fail at once with the server's message. Vectors are
L2-normalised here, since not every server normalises them, and token-level answers
(llama.cpp serving a model without pooling) are mean-pooled. Only the standard library is
used, so this adds no dependency.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

import numpy as np

from medcite.config import ScaleSettings
from medcite.errors import MedciteError
from medcite.index.embed import EmbedderUnavailable

_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_FIRST_BACKOFF = 0.5


class EmbeddingEndpointError(MedciteError, RuntimeError):
    """The embeddings endpoint refused a request or stayed unreachable after the retries."""


class RemoteEmbedder:
    """Embeddings from ``<url>/embeddings``; ``dim`` is learnt from one probe request.

    :param url: base URL, e.g. ``http://gpu-box:8080/v1``.
    :param model: model id sent with each request (and recorded as ``model_id``).
    :param api_key: sent as ``Authorization: Bearer ...`` when given.
    :param batch: texts per request.
    :param timeout: seconds per request.
    :param retries: retries per request after the first attempt.
    :raises EmbedderUnavailable: the endpoint does not answer the probe.
    """

    def __init__(
        self,
        url: str,
        *,
        model: str,
        api_key: str | None = None,
        batch: int = 64,
        timeout: float = 60.0,
        retries: int = 5,
    ) -> None:
        self.endpoint = url.rstrip("/") + "/embeddings"
        self.model = model
        self.model_id = f"endpoint:{model}"
        self.batch, self.timeout, self.retries = batch, timeout, retries
        self._headers = {"Content-Type": "application/json"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        try:
            self.dim: int = int(self._request(["dimension probe"]).shape[1])
        except EmbeddingEndpointError as exc:
            raise EmbedderUnavailable(f"embedding endpoint unusable: {exc}") from exc

    @classmethod
    def from_settings(cls, settings: ScaleSettings) -> RemoteEmbedder:
        """The embedder ``MEDCITE_SCALE__EMBED_*`` describe."""
        if not settings.embed_url:
            raise EmbedderUnavailable("no embedding endpoint: set MEDCITE_SCALE__EMBED_URL")
        return cls(
            settings.embed_url,
            model=settings.embed_model,
            api_key=settings.embed_api_key.get_secret_value() if settings.embed_api_key else None,
            batch=settings.embed_batch,
            timeout=settings.embed_timeout,
            retries=settings.embed_retries,
        )

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Shape ``(len(texts), dim)``, float32, rows L2-normalised."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch):
            out[start : start + self.batch] = self._request(texts[start : start + self.batch])
        return out

    def _request(self, texts: Sequence[str]) -> np.ndarray:
        body = json.dumps({"model": self.model, "input": list(texts)}).encode()
        payload = self._post_with_retries(body)
        try:
            rows = sorted(payload["data"], key=lambda item: item["index"])
            vectors = np.stack([_pooled(row["embedding"]) for row in rows])
        except (KeyError, TypeError, ValueError) as exc:
            raise EmbeddingEndpointError(
                f"{self.endpoint} answered without OpenAI-style 'data' embeddings: {exc!r}"
            ) from exc
        if vectors.ndim != 2 or len(vectors) != len(texts):
            raise EmbeddingEndpointError(
                f"{self.endpoint} returned {len(vectors)} embeddings for {len(texts)} texts"
            )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)

    def _post_with_retries(self, body: bytes) -> Any:
        delay = _FIRST_BACKOFF
        for attempt in range(self.retries + 1):
            try:
                return self._post(body)
            except _Retryable as exc:
                if attempt == self.retries:
                    raise EmbeddingEndpointError(
                        f"{self.endpoint}: {exc} (after {self.retries + 1} attempts)"
                    ) from exc
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _post(self, body: bytes) -> Any:
        request = urllib.request.Request(self.endpoint, data=body, headers=self._headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            exc.close()
            if exc.code in _RETRY_STATUS:
                raise _Retryable(f"HTTP {exc.code}: {detail}") from exc
            raise EmbeddingEndpointError(f"{self.endpoint}: HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise _Retryable(str(getattr(exc, "reason", exc))) from exc


def _pooled(embedding: Any) -> np.ndarray:
    """One vector per text. A server without a pooling layer for the model (llama.cpp
    serving a causal LM) answers one vector per token: those are mean-pooled."""
    vector = np.asarray(embedding, dtype=np.float32)
    return vector.mean(axis=0) if vector.ndim == 2 else vector


class _Retryable(Exception):
    """A failure worth another attempt (network trouble, 429, 5xx)."""

"""Derive the search index from the corpus store, incrementally and crash-safely.

``sync_lexical`` sends passages not yet indexed (and removals) to the backend, commits the
backend, and only then marks them indexed in the store: a crash in between makes the next
run upsert the same passages again, which backends treat as a replace, never a duplicate.

``embed_passages`` adds dense vectors for passages that lack them. Vectors are cached by the
hash of the passage text and the model id, so re-ingesting or rebuilding never re-embeds
unchanged text; progress is committed every few thousand passages, so it resumes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from medcite.corpus.store import CorpusStore
from medcite.index.base import Embedder, SearchBackend
from medcite.models import Passage
from medcite.progress import ProgressFn, silent

EMBED_BATCH = 128  # passages per progress update
EMBED_COMMIT_EVERY = 2048  # a multiple of EMBED_BATCH


@dataclass
class SyncReport:
    upserted: int
    deleted: int
    total: int


def sync_lexical(
    store: CorpusStore, backend: SearchBackend, *, progress: ProgressFn | None = None
) -> SyncReport:
    """Bring the backend up to date with the store; returns what changed."""
    progress = progress or silent
    total = store.count_unindexed()
    deletes = store.pending_deletes()
    progress("index", 0, total)
    if deletes:
        backend.delete_passages(deletes)
    done: list[str] = []
    for records in store.unindexed():
        backend.upsert(records)
        done.extend(r.passage_id for r in records)
        progress("index", len(done), total)
    if done or deletes:
        backend.commit()
        store.mark_indexed(done, deletes)
    return SyncReport(upserted=len(done), deleted=len(deletes), total=backend.count())


class VectorCache:
    """Embeddings keyed by (model id, passage text hash) in a small SQLite file."""

    def __init__(self, path: Path, model_id: str, dim: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path)
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS embedding ("
            " model_id TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,"
            " PRIMARY KEY (model_id, text_hash))"
        )
        self.model_id, self.dim = model_id, dim

    def get(self, text_hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(text_hashes), 900):
            chunk = list(text_hashes[i : i + 900])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                "SELECT text_hash, vector FROM embedding"
                f" WHERE model_id = ? AND text_hash IN ({marks})",
                [self.model_id, *chunk],
            )
            for text_hash, blob in rows:
                found[text_hash] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, text_hashes: Sequence[str], vectors: np.ndarray) -> None:
        with self.conn:
            self.conn.executemany(
                "INSERT OR REPLACE INTO embedding VALUES (?, ?, ?)",
                [
                    (self.model_id, h, np.ascontiguousarray(v, dtype=np.float32).tobytes())
                    for h, v in zip(text_hashes, vectors, strict=True)
                ],
            )

    def close(self) -> None:
        self.conn.close()


@dataclass
class EmbedReport:
    embedded: int  # computed by the model in this run
    cached: int  # taken from the cache
    vectors: int  # passages with vectors in the backend after the run


def embed_passages(
    store: CorpusStore,
    backend: SearchBackend,
    embedder: Embedder,
    cache: VectorCache,
    *,
    limit: int | None = None,
    progress: ProgressFn | None = None,
) -> EmbedReport:
    """Give every indexed passage a dense vector (at most ``limit`` new ones this run)."""
    progress = progress or silent
    todo = [p for batch in store.iter_passages() for p in batch]
    have = backend.vector_ids()
    todo = [p for p in todo if p.passage_id not in have][: limit if limit is not None else None]
    # Similar lengths batch together, so little padding is computed.
    todo.sort(key=lambda p: (len(p.text), p.passage_id))
    progress("embed", 0, len(todo))
    embedded = cached = 0
    for start in range(0, len(todo), EMBED_BATCH):
        chunk = todo[start : start + EMBED_BATCH]
        vectors, n_new = _vectors_for(chunk, embedder, cache)
        backend.set_vectors([p.passage_id for p in chunk], vectors)
        embedded += n_new
        cached += len(chunk) - n_new
        done = start + len(chunk)
        if done % EMBED_COMMIT_EVERY == 0 or done == len(todo):
            backend.commit()  # a resumable checkpoint: what is committed is never redone
        progress("embed", done, len(todo))
    return EmbedReport(embedded=embedded, cached=cached, vectors=backend.vector_count())


def _vectors_for(
    passages: list[Passage], embedder: Embedder, cache: VectorCache
) -> tuple[np.ndarray, int]:
    hashes = [p.text_hash for p in passages]
    known = cache.get(hashes)
    missing = [i for i, h in enumerate(hashes) if h not in known]
    if missing:
        fresh = embedder.embed([passages[i].text for i in missing])
        cache.put([hashes[i] for i in missing], fresh)
        known.update({hashes[i]: fresh[j] for j, i in enumerate(missing)})
    return np.stack([known[h] for h in hashes]).astype(np.float32), len(missing)

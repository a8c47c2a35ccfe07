"""``manifest.json``: what an index directory holds and what built it.

Written next to the index after each build, so ``medcite index status`` and every answer can
say which corpus snapshot, analyzer and embedder the hits came from. Also home of the
atomic-write helpers the index files share.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from medcite.errors import CorruptData

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True, slots=True)
class IndexManifest:
    """Self-description of an index directory (see :meth:`create`, :meth:`write`, :meth:`read`).

    ``corpus_snapshot`` is the corpus store's snapshot hash the index was built from;
    ``tantivy_version`` and ``analyzer`` are ``None`` for backends without them.
    """

    backend: str
    analyzer: str | None
    tantivy_version: str | None
    embedder_model_id: str | None
    embedder_dim: int | None
    passage_count: int
    vector_count: int
    corpus_snapshot: str
    medcite_version: str
    created_at: str
    updated_at: str

    @classmethod
    def create(
        cls,
        *,
        backend: str,
        corpus_snapshot: str,
        passage_count: int,
        vector_count: int = 0,
        analyzer: str | None = None,
        tantivy_version: str | None = None,
        embedder_model_id: str | None = None,
        embedder_dim: int | None = None,
    ) -> IndexManifest:
        """A new manifest stamped with the running medcite version and the current time."""
        now = _now()
        return cls(
            backend=backend,
            analyzer=analyzer,
            tantivy_version=tantivy_version,
            embedder_model_id=embedder_model_id,
            embedder_dim=embedder_dim,
            passage_count=passage_count,
            vector_count=vector_count,
            corpus_snapshot=corpus_snapshot,
            medcite_version=_medcite_version(),
            created_at=now,
            updated_at=now,
        )

    def updated(self, **changes: Any) -> IndexManifest:
        """A copy with ``changes`` applied, the running medcite version and a new ``updated_at``."""
        return replace(self, **changes, medcite_version=_medcite_version(), updated_at=_now())

    def write(self, directory: Path) -> Path:
        """Atomically write ``directory/manifest.json``; returns its path."""
        path = directory / MANIFEST_NAME
        write_atomic(path, (json.dumps(asdict(self), indent=2) + "\n").encode())
        return path

    @classmethod
    def read(cls, directory: Path) -> IndexManifest | None:
        """The manifest in ``directory``, or ``None`` when there is none.

        Unknown keys (written by a newer medcite) are ignored.
        """
        path = directory / MANIFEST_NAME
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{name: data[name] for name in cls.__dataclass_fields__})
        except (ValueError, TypeError, KeyError, RecursionError) as exc:
            reason = f"missing {exc}" if isinstance(exc, KeyError) else type(exc).__name__
            raise CorruptData(
                f"{path} is damaged ({reason}): delete it and run `medcite index` to write it again"
            ) from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers see the old or the new file, never a mix.

    The data is fsynced before ``os.replace`` and the directory after, so a power loss
    cannot leave an empty file behind the new name.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_file(path.parent)


def fsync_file(path: Path) -> None:
    """Flush ``path`` (a file or a directory) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _medcite_version() -> str:
    try:
        return version("medcite")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"

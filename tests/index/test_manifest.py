"""The index manifest: round trip, updates, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

from medcite.index.manifest import MANIFEST_NAME, IndexManifest


def make() -> IndexManifest:
    return IndexManifest.create(
        backend="embedded",
        corpus_snapshot="abc123",
        passage_count=10,
        analyzer="en_stem",
        tantivy_version="0.27.0",
    )


def test_round_trip(tmp_path: Path) -> None:
    manifest = make()
    assert manifest.write(tmp_path) == tmp_path / MANIFEST_NAME
    assert IndexManifest.read(tmp_path) == manifest
    assert [p.name for p in tmp_path.iterdir()] == [MANIFEST_NAME]  # no temp file left


def test_missing_manifest_reads_as_none(tmp_path: Path) -> None:
    assert IndexManifest.read(tmp_path) is None


def test_updated_keeps_creation_time() -> None:
    manifest = make()
    later = manifest.updated(vector_count=7, embedder_model_id="m", embedder_dim=384)
    assert (later.vector_count, later.embedder_dim, later.passage_count) == (7, 384, 10)
    assert later.created_at == manifest.created_at
    assert later.updated_at >= manifest.updated_at


def test_unknown_keys_from_a_newer_version_are_ignored(tmp_path: Path) -> None:
    path = make().write(tmp_path)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "added_later": 1}))
    assert IndexManifest.read(tmp_path) == IndexManifest(**data)

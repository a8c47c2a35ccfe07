"""usearch vectors: staged writes, atomic generations, reopening."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from medcite.index.vectors import VectorIndex


def unit(*rows: list[float]) -> np.ndarray:
    array = np.array(rows, dtype=np.float32)
    return array / np.linalg.norm(array, axis=1, keepdims=True)


def files(path: Path) -> set[str]:
    return {p.name for p in path.iterdir()}


def test_search_returns_cosine_similarity_best_first(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path)
    index.set(["x", "y", "z"], unit([1, 0, 0], [1, 1, 0], [0, 0, 1]))
    index.commit()
    hits = index.search(unit([1, 0, 0])[0], 3)
    assert [pid for pid, _ in hits] == ["x", "y", "z"]
    assert [sim for _, sim in hits] == pytest.approx([1.0, 2**-0.5, 0.0], abs=1e-3)


def test_writes_are_staged_until_commit(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path)
    index.set(["x"], unit([1, 0]))
    assert (index.count(), index.search(unit([1, 0])[0], 1)) == (0, [])
    index.rollback()
    index.commit()
    assert index.count() == 0
    assert files(tmp_path) == set()


def test_commit_replaces_the_generation_and_reopen_reads_it(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path)
    index.set(["x", "y"], unit([1, 0], [0, 1]))
    index.commit()
    index.set(["x"], unit([0, 1]))  # a new vector for x replaces the old one
    index.delete(["y", "unknown"])
    index.commit()
    assert files(tmp_path) == {"current.json", "hnsw-2.usearch", "keys-2.npz"}
    again = VectorIndex(tmp_path)
    assert again.ids() == {"x"}
    assert again.search(unit([0, 1])[0], 5) == [("x", pytest.approx(1.0, abs=1e-3))]


def test_a_crash_before_the_commit_point_leaves_the_last_commit(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path)
    index.set(["x"], unit([1, 0]))
    index.commit()
    # What a crash mid-commit leaves: half-written files of the next generation.
    (tmp_path / "hnsw-2.usearch").write_bytes(b"\0partial")
    (tmp_path / "keys-2.npz").write_bytes(b"")
    again = VectorIndex(tmp_path)
    assert again.ids() == {"x"}
    again.set(["y"], unit([0, 1]))
    again.commit()
    assert VectorIndex(tmp_path).ids() == {"x", "y"}


def test_deleting_unknown_ids_writes_nothing(tmp_path: Path) -> None:
    index = VectorIndex(tmp_path)
    index.delete(["nope"])
    index.commit()
    assert files(tmp_path) == set()

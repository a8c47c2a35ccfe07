"""The corpus store on a real SQLite file: replace-on-change, no duplicates, exact text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from medcite.corpus.store import CorpusStore
from medcite.ingest.chunk import chunk_document
from medcite.models import Document, EvidenceLevel


def _doc(text: str, doc_id: str = "jsonl:1", year: int | None = 2020) -> Document:
    return Document(
        doc_id=doc_id,
        collection="jsonl",
        title="Gout treatment",
        text=text,
        source="Test Journal",
        year=year,
        evidence_level=EvidenceLevel.RCT,
    )


def _put(store: CorpusStore, *docs: Document):
    return store.upsert([(d, chunk_document(d)) for d in docs], origin="test")


def test_unchanged_document_is_not_rewritten(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path / "c.sqlite")
    doc = _doc("Colchicine reduces gout flares. Allopurinol lowers urate.")
    first, second = _put(store, doc), _put(store, doc)
    assert (first.added, first.unchanged) == (1, 0)
    assert (second.added, second.updated, second.unchanged, second.passages_written) == (0, 0, 1, 0)
    assert store.stats()["passages"] == len(chunk_document(doc))


def test_changed_document_replaces_its_passages_and_queues_old_ones_for_deletion(
    tmp_path: Path,
) -> None:
    store = CorpusStore(tmp_path / "c.sqlite")
    old = _doc("Colchicine reduces gout flares. Allopurinol lowers urate.")
    _put(store, old)
    old_ids = {p.passage_id for p in chunk_document(old)}
    store.mark_indexed(old_ids, [])
    new = _doc("Febuxostat lowers urate in gout. It is an alternative to allopurinol.")
    counts = _put(store, new)
    assert (counts.updated, counts.added) == (1, 0)
    new_ids = {p.passage_id for p in chunk_document(new)}
    assert set(store.pending_deletes()) == old_ids - new_ids
    stored = store.passages(sorted(new_ids))
    assert {pid: p.text for pid, (p, _) in stored.items()} == {
        p.passage_id: p.text for p in chunk_document(new)
    }
    assert store.count_unindexed() == len(new_ids)


def test_metadata_only_change_reindexes_same_passage_ids_without_deleting_them(
    tmp_path: Path,
) -> None:
    store = CorpusStore(tmp_path / "c.sqlite")
    doc = _doc("Colchicine reduces gout flares in adults.")
    _put(store, doc)
    store.mark_indexed([p.passage_id for p in chunk_document(doc)], [])
    _put(store, replace(doc, year=2024))
    assert store.pending_deletes() == []
    assert store.count_unindexed() == 1
    ((passage, document),) = store.passages([chunk_document(doc)[0].passage_id]).values()
    assert document.year == 2024 and passage.text == doc.text


def test_snapshot_hash_tracks_content(tmp_path: Path) -> None:
    store = CorpusStore(tmp_path / "c.sqlite")
    empty = store.snapshot_hash()
    _put(store, _doc("Colchicine reduces gout flares."))
    one = store.snapshot_hash()
    _put(store, _doc("Colchicine reduces gout flares."))
    assert empty != one == store.snapshot_hash()
    _put(store, _doc("Colchicine reduces gout flares!"))
    assert store.snapshot_hash() != one

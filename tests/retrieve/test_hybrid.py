"""The retriever over a real store and index: priors, and hits the store no longer has."""

from __future__ import annotations

from pathlib import Path

from medcite.config import Settings
from medcite.ingest.run import ingest
from medcite.models import EvidenceLevel
from medcite.service import Engine


def test_passages_deleted_since_indexing_are_replaced_by_the_next_hits(
    settings: Settings, tmp_path: Path, write_jsonl
) -> None:
    rows = [
        {"id": f"d{i}", "title": "Gout", "text": f"Colchicine eases gout flare number {i}."}
        for i in range(6)
    ]
    with Engine(settings) as engine:
        engine.ingest([write_jsonl(tmp_path / "a.jsonl", rows)])
        # The store changes, the index has not caught up yet (as mid re-ingest).
        rows[0]["text"] = "Allopurinol is a urate-lowering drug."
        ingest([write_jsonl(tmp_path / "a.jsonl", rows)], engine.store)
        hits = engine.search("colchicine gout flare", k=5)
        assert len(hits) == 5
        assert "jsonl:d0" not in {h.document.doc_id for h in hits}
        assert all(h.document.text[h.passage.start : h.passage.end] == h.passage.text for h in hits)


def test_evidence_prior_breaks_near_ties_towards_stronger_evidence(
    settings: Settings, tmp_path: Path, write_jsonl
) -> None:
    text = "Colchicine reduces the pain of acute gout flares."
    rows = [
        {"id": "case", "title": "Gout", "text": text, "publication_types": ["Case Reports"]},
        {
            "id": "rct",
            "title": "Gout",
            "text": text,
            "publication_types": ["Randomized Controlled Trial"],
        },
    ]
    with Engine(settings) as engine:
        engine.ingest([write_jsonl(tmp_path / "b.jsonl", rows)])
        with_priors = engine.search("colchicine acute gout", k=2)
        assert [h.document.evidence_level for h in with_priors] == [
            EvidenceLevel.RCT,
            EvidenceLevel.CASE,
        ]
        raw = engine.search("colchicine acute gout", k=2, priors=False)
        assert raw[0].score == raw[1].score  # same text: only the prior told them apart

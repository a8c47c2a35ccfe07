"""Dense indexing through the engine: resumable, cached by text, never blocking BM25."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcite.config import EmbedSettings, Settings
from medcite.service import Engine

pytestmark = pytest.mark.dense


def _rows(texts: dict[str, str]) -> list[object]:
    return [{"id": k, "title": "Gout", "text": v} for k, v in texts.items()]


TEXTS = {
    f"d{i}": f"Colchicine regimen {i} reduces acute gout flares in adults with hyperuricemia."
    for i in range(12)
}


def test_embedding_resumes_and_reuses_cached_vectors(tmp_path: Path, write_jsonl) -> None:
    with Engine(Settings(home=tmp_path / "home")) as engine:
        engine.ingest([write_jsonl(tmp_path / "c.jsonl", _rows(TEXTS))])
        first = engine.embed(limit=5)  # an interrupted run: only part done
        assert (first.embedded, first.vectors) == (5, 5)
        rest = engine.embed()
        assert (rest.embedded, rest.cached, rest.vectors) == (7, 0, 12)
        assert engine.embed().embedded == 0  # nothing left to do

        changed = {**TEXTS, "d0": "Allopurinol lowers serum urate in chronic gout over months."}
        engine.ingest([write_jsonl(tmp_path / "c.jsonl", _rows(changed))])
        again = engine.embed()
        assert again.embedded == 1  # only the new text meets the model
        assert engine.retriever.effective_mode() == "hybrid"
        assert engine.search("allopurinol urate", k=1)[0].document.doc_id == "jsonl:d0"


def test_a_missing_model_leaves_search_on_bm25_with_one_line_saying_why(
    tmp_path: Path, write_jsonl
) -> None:
    home = tmp_path / "home"
    with Engine(Settings(home=home)) as engine:
        engine.ingest([write_jsonl(tmp_path / "c.jsonl", _rows(TEXTS))])
        engine.embed()
    broken = Settings(home=home, embed=EmbedSettings(model_path=tmp_path / "missing.onnx"))
    with Engine(broken) as engine:
        answer = engine.answer("How is acute gout treated with colchicine?")
        assert answer.engine["search_mode"] == "bm25"
        notes = [w for w in answer.warnings if w.startswith("Dense search off")]
        assert len(notes) == 1 and "\n" not in notes[0] and "missing.onnx" in notes[0]

"""End to end on Milvus: ``MEDCITE_SEARCH_URI`` alone moves search to a real milvus-lite server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcite.config import Settings
from medcite.index.milvus import MilvusBackend
from medcite.service import Engine

pytestmark = pytest.mark.milvus

MS_QUESTION = (
    "What are the treatment options for progressive multiple sclerosis "
    "(primary-progressive and secondary-progressive)?"
)
QUERIES = (
    "copolymer I (Copaxone) relapse rate in MS",
    "natalizumab progressive multifocal leukoencephalopathy",
    "vaccine storage temperature",
    "gout flare treatment colchicine",
    "symptoms of multiple sclerosis fatigue",
)


@pytest.fixture
def milvus_engine(
    milvus_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture_corpus: list[Path]
) -> Iterator[Engine]:
    collection = f"e2e_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("MEDCITE_SEARCH_URI", milvus_uri)
    monkeypatch.setenv("MEDCITE_SCALE__MILVUS_COLLECTION", collection)
    with Engine(Settings(home=tmp_path / "home")) as engine:
        engine.ingest(fixture_corpus)
        yield engine
        assert isinstance(engine.backend, MilvusBackend)
        engine.backend.drop()


def test_engine_ingests_and_answers_on_milvus(milvus_engine: Engine) -> None:
    assert milvus_engine.backend.name == "milvus"
    assert milvus_engine.backend.count() == milvus_engine.store.stats()["passages"]
    hits = milvus_engine.search("copolymer I (Copaxone) relapse rate in MS", k=5)
    assert hits[0].document.doc_id == "medquad:6_NINDS_QA/0000202-2"
    answer = milvus_engine.ask(MS_QUESTION)
    assert answer.engine["index_backend"] == "milvus"
    assert not answer.insufficient_evidence and answer.sections
    refs = {r.n: r for r in answer.references}
    for statement in [answer.bottom_line] + [s for sec in answer.sections for s in sec.statements]:
        for ev in statement.evidence:
            assert refs[ev.n].passage.text[ev.start : ev.end] == ev.quote
    assert milvus_engine.manifest()["backend"] == "milvus"


def test_milvus_ranks_like_the_embedded_backend(milvus_engine: Engine, engine: Engine) -> None:
    overlaps = []
    for query in QUERIES:
        ours = [s.passage_id for s in milvus_engine.backend.search(query, k=10)]
        theirs = [s.passage_id for s in engine.backend.search(query, k=10)]
        assert ours[0] == theirs[0], query
        overlaps.append(len(set(ours) & set(theirs)) / max(1, len(theirs)))
    assert sum(overlaps) / len(overlaps) >= 0.9, overlaps


def test_one_setting_selects_milvus_from_the_environment_or_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDCITE_HOME", str(tmp_path))
    assert Settings().search_uri is None
    (tmp_path / "medcite.toml").write_text('search_uri = "http://from-file:19530"\n')
    assert Settings().search_uri == "http://from-file:19530"
    monkeypatch.setenv("MEDCITE_SEARCH_URI", "http://milvus:19530")
    monkeypatch.setenv("MEDCITE_SEARCH_TOKEN", "root:Milvus")
    settings = Settings()
    assert (settings.search_uri, settings.search_token) == ("http://milvus:19530", "root:Milvus")
    assert settings.settings_hash() == Settings(search_token="other").settings_hash()

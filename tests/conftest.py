"""Shared fixtures: the shared data folder, settings in a temp home, a small real corpus."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from medcite.config import Settings
from medcite.service import Engine
from services import milvus_lite_server, postgres_server

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = PROJECT_ROOT.parent / "shared" / "contracts" / "answer.schema.json"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = PROJECT_ROOT.parent / "shared" / "data"
    assert (path / "README.md").is_file(), f"shared data missing at {path}"
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real, empty PostgreSQL server for the whole session (tests marked ``postgres``)."""
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def milvus_uri() -> Iterator[str]:
    """A real ``milvus-lite server`` for the whole session (tests marked ``milvus``)."""
    with milvus_lite_server() as uri:
        yield uri


@pytest.fixture(scope="session")
def answer_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def write_jsonl_rows(path: Path, rows: list[object]) -> Path:
    """Write ``rows`` as JSON lines; a str row is written as is (for malformed lines)."""
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture
def write_jsonl() -> Callable[[Path, list[object]], Path]:
    return write_jsonl_rows


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home")


def _subset(src: Path, dest: Path, keep) -> Path:
    with src.open(encoding="utf-8") as fh, dest.open("w", encoding="utf-8") as out:
        for line in fh:
            if keep(json.loads(line)):
                out.write(line)
    return dest


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> list[Path]:
    """A few hundred real records: every MS-related MedQuAD page plus a slice of each dataset."""
    root = tmp_path_factory.mktemp("corpus")
    medquad_seen = {"n": 0}

    def keep_medquad(row: dict) -> bool:
        medquad_seen["n"] += 1
        about_ms = "sclerosis" in (row["answer"] + row["question"]).lower()
        return about_ms or medquad_seen["n"] <= 300

    medquad = _subset(
        shared_data / "medquad" / "medquad.jsonl", root / "medquad.jsonl", keep_medquad
    )
    pubmedqa = _subset(
        shared_data / "pubmedqa" / "corpus.jsonl",
        root / "pubmedqa.jsonl",
        lambda row: int(row["pmid"]) % 5 == 0 or row["pmid"] in {"18049437", "24793469"},
    )
    return [medquad, pubmedqa, shared_data / "pubmed_xml_samples"]


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory, fixture_corpus: list[Path]) -> Path:
    """A data directory with the fixture corpus ingested and indexed (BM25), built once."""
    home = tmp_path_factory.mktemp("home")
    with Engine(Settings(home=home)) as engine:
        report = engine.ingest(fixture_corpus)
        assert report.total("documents") > 300
    return home


@pytest.fixture
def engine(built_home: Path) -> Iterator[Engine]:
    with Engine(Settings(home=built_home)) as eng:
        yield eng


@pytest.fixture
def reader_settings(built_home: Path, tmp_path: Path, shared_data: Path) -> Settings:
    """The built fixture corpus, with threads in this test's own SQLite file and the shared
    PubMedQA question files (the fixture's abstracts are a copy without them)."""
    reader = {
        "threads_url": str(tmp_path / "threads.sqlite"),
        "question_folders": [shared_data / "pubmedqa"],
    }
    return Settings(home=built_home, reader=reader)


@pytest.fixture
def reader_engine(reader_settings: Settings) -> Iterator[Engine]:
    with Engine(reader_settings) as engine:
        yield engine

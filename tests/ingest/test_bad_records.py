"""One bad record never stops an ingest: lone surrogates, huge numbers and NUL bytes in the
middle of a file are reported (file, record, reason), every other record and file is ingested,
the index is brought up to date and a re-run is clean."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from medcite.config import Settings
from medcite.corpus.store import CorpusStore
from medcite.ingest.report import FileReport, record_batch
from medcite.models import Document, Passage
from medcite.service import Engine
from services import postgres_database

# A lone surrogate written as the JSON escape a broken exporter emits; json.loads accepts it.
SURROGATE = "\\ud800"
NUL = "\\u0000"
HUGE = "1" + "0" * 30


def _jsonl(record_id: str, text: str, extra: str = "") -> str:
    return f'{{"id": "{record_id}", "title": "Gout {record_id}", "text": "{text}"{extra}}}'


def _medquad(record_id: str, text: str, extra: str = "") -> str:
    return (
        f'{{"id": "{record_id}", "question": "What is gout {record_id} ?", "qtype": "treatment", '
        f'"answer": "{text}"{extra}}}'
    )


def _pubmedqa(record_id: str, text: str, extra: str = "") -> str:
    return f'{{"pmid": "{record_id}", "contexts": ["{text}"], "labels": ["BACKGROUND"]{extra}}}'


def _beir(record_id: str, text: str, extra: str = "") -> str:
    return f'{{"_id": "{record_id}", "title": "Gout {record_id}", "text": "{text}"{extra}}}'


LineFn = Callable[[str, str, str], str]
FORMATS: dict[str, LineFn] = {
    "jsonl": _jsonl,
    "medquad": _medquad,
    "pubmedqa": _pubmedqa,
    "beir": _beir,
}
GOOD = "Colchicine reduces gout flares in adults with acute gout."
BAD_LINES: dict[str, tuple[str, str]] = {
    # name: (text, extra fields) of the bad record
    "surrogate in text": (f"Allopurinol {SURROGATE} lowers urate.", ""),
    "surrogate in a field": (GOOD, f', "url": "https://x.org/{SURROGATE}"'),
    "huge year": (GOOD, f', "year": {HUGE}'),
    "nul in text": (f"Febuxostat{NUL} lowers urate.", ""),
}

# Formats without a url carry the surrogate in another field they read.
FIELD_ELSEWHERE = {
    ("pubmedqa", "surrogate in a field"): (GOOD, f', "meshes": ["Gout {SURROGATE}"]'),
    ("beir", "surrogate in a field"): (GOOD, f', "metadata": {{"note": "x {SURROGATE}"}}'),
}


def _write(directory: Path, fmt: str, bad: tuple[str, str]) -> list[Path]:
    """Two files: good, bad, good records, then a second file of one good record."""
    line = FORMATS[fmt]
    first_dir, second_dir = directory / "one", directory / "two"
    first_dir.mkdir()
    second_dir.mkdir()
    name = "corpus.jsonl" if fmt == "beir" else f"{fmt}.jsonl"
    first, second = first_dir / name, second_dir / name
    first.write_text(
        "\n".join([line("101", GOOD, ""), line("102", *bad), line("103", GOOD, "")]) + "\n"
    )
    second.write_text(line("201", GOOD, "") + "\n")
    return [first, second]


def _check_bad_record_is_skipped(settings: Settings, paths: list[Path], fmt: str) -> None:
    with Engine(settings) as engine:
        report = engine.ingest(paths, fmt=fmt)
        assert [str(p) for p in report.problems] and len(report.problems) == 1
        problem = report.problems[0]
        assert problem.path == str(paths[0]) and problem.record == "line 2", problem
        assert report.total("documents") == 3
        stats = engine.status()
        assert stats["corpus"]["documents"] == 3
        assert stats["index"]["passages"] == stats["corpus"]["passages"] > 0
        again = engine.ingest(paths, fmt=fmt)
        assert [p.record for p in again.problems] == ["line 2"]
        assert again.total("unchanged") == 3 and again.total("added") == 0


@pytest.mark.parametrize("bad", BAD_LINES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_bad_record_mid_file_is_reported_and_the_rest_ingested(
    settings: Settings, tmp_path: Path, fmt: str, bad: str
) -> None:
    if bad == "huge year" and fmt in ("medquad", "beir"):
        pytest.skip("the format has no year")
    paths = _write(tmp_path, fmt, FIELD_ELSEWHERE.get((fmt, bad), BAD_LINES[bad]))
    _check_bad_record_is_skipped(settings, paths, fmt)


def test_the_reason_names_the_field_and_the_fault(tmp_path: Path, settings: Settings) -> None:
    paths = _write(tmp_path, "jsonl", BAD_LINES["surrogate in text"])
    with Engine(settings) as engine:
        reasons = [p.reason for p in engine.ingest(paths).problems]
    assert len(reasons) == 1 and "'text'" in reasons[0] and "surrogate" in reasons[0]


@pytest.fixture
def pg_settings(postgres_url: str, tmp_path: Path) -> Iterator[Settings]:
    with postgres_database(postgres_url, f"corpus_{uuid.uuid4().hex[:10]}") as url:
        yield Settings(home=tmp_path / "home", corpus_url=url)


@pytest.mark.postgres
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_nul_byte_is_a_reported_problem_with_the_corpus_on_postgresql(
    pg_settings: Settings, tmp_path: Path, fmt: str
) -> None:
    _check_bad_record_is_skipped(pg_settings, _write(tmp_path, fmt, BAD_LINES["nul in text"]), fmt)


def _document(doc_id: str, text: str = GOOD, year: int | None = 2020) -> Document:
    return Document(doc_id=doc_id, collection="t", title="Gout", text=text, source="t", year=year)


def _batch(*docs: Document) -> list[tuple[Document, list[Passage]]]:
    return [
        (d, [Passage(f"{d.doc_id}#0", d.doc_id, 0, 0, len(d.text), d.text, None)]) for d in docs
    ]


def _store_error_is_a_problem(store: CorpusStore, bad: Document) -> None:
    report = FileReport("f.jsonl", "jsonl")
    record_batch(_batch(_document("t:1"), bad, _document("t:3")), store, report)
    assert [(p.path, p.record) for p in report.problems] == [("f.jsonl", f"document {bad.doc_id}")]
    assert report.documents == 2 and report.added == 2
    assert store.stats()["documents"] == 2 and store.document(bad.doc_id) is None
    again = FileReport("f.jsonl", "jsonl")
    record_batch(_batch(_document("t:1"), _document("t:3")), store, again)
    assert again.unchanged == 2 and not again.problems


def test_a_store_error_on_one_record_is_a_problem_not_a_crash(settings: Settings) -> None:
    """What the source checks cannot see (a document built in code) still only skips itself."""
    store = CorpusStore(settings.corpus_db)
    try:
        _store_error_is_a_problem(store, _document("t:2", year=10**30))
    finally:
        store.close()


@pytest.mark.postgres
def test_a_store_error_on_postgresql_is_a_problem_not_a_crash(pg_settings: Settings) -> None:
    assert pg_settings.corpus_url
    store = CorpusStore(pg_settings.corpus_url)
    try:
        _store_error_is_a_problem(store, _document("t:2", text="Febuxostat\x00 lowers urate."))
    finally:
        store.close()


def _fuzzed_ingest_never_raises(store: CorpusStore, tmp_path: Path) -> None:
    """Fuzzed generic JSONL through the whole ingest into a real store: every line is a
    document or a problem, nothing is raised."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from medcite.ingest.run import ingest

    nasty = st.text(st.sampled_from(["a", " ", "\x00", "\ud800", "é", "😀", "\n"]), max_size=20)
    value = st.none() | st.integers(-(10**30), 10**30) | st.floats() | nasty
    record = st.fixed_dictionaries(
        {"id": st.integers(0, 10**6) | value, "title": nasty, "text": nasty | value},
        optional={"year": value, "url": value, "mesh": st.lists(nasty | value, max_size=2)},
    )

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(record, min_size=1, max_size=8))
    def run(records: list[dict[str, object]]) -> None:
        path = tmp_path / "fuzz.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="ascii")
        report = ingest([path], store)
        assert report.total("documents") + len(report.problems) >= 1
        for problem in report.problems:
            str(problem).encode("utf-8")

    run()


def test_fuzzed_records_never_stop_an_ingest_on_sqlite(settings: Settings, tmp_path: Path) -> None:
    store = CorpusStore(settings.corpus_db)
    try:
        _fuzzed_ingest_never_raises(store, tmp_path)
    finally:
        store.close()


@pytest.mark.postgres
def test_fuzzed_records_never_stop_an_ingest_on_postgresql(
    pg_settings: Settings, tmp_path: Path
) -> None:
    assert pg_settings.corpus_url
    store = CorpusStore(pg_settings.corpus_url)
    try:
        _fuzzed_ingest_never_raises(store, tmp_path)
    finally:
        store.close()

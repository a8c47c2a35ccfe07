"""Every reader, fuzzed: whatever the file holds (lone surrogates, NUL, huge integers,
non-finite numbers, nesting, wrong types, truncation, garbage bytes), reading it yields only
documents that pass the source check and problems that print; nothing is raised."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medcite.models import Document, IngestProblem
from medcite.sources.common import check_document
from medcite.sources.read import read_documents

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Text with what breaks stores and encoders: NUL, lone surrogates, controls, non-BMP.
NASTY_TEXT = st.text(
    st.sampled_from(["a", " ", "\n", "\x00", "\ud800", "\udfff", "\x1f", "é", "😀", '"', "<"])
    | st.characters(),
    max_size=40,
)
HUGE_INTS = st.integers(min_value=-(10**40), max_value=10**40) | st.sampled_from(
    [10**30, -1, 0, 2**63, 2**64]
)
SCALARS = (
    st.none()
    | st.booleans()
    | HUGE_INTS
    | st.floats(allow_nan=True, allow_infinity=True)
    | NASTY_TEXT
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NASTY_TEXT, inner, max_size=4),
    max_leaves=12,
)
# Per format, the fields its reader looks at; each gets a fitting or an arbitrary value.
FIELDS = {
    "jsonl": ["id", "title", "text", "collection", "source", "year", "url", "mesh"],
    "medquad": ["id", "question", "answer", "qtype", "source", "url", "focus"],
    "pubmedqa": ["pmid", "title", "contexts", "labels", "meshes", "year"],
    "beir": ["_id", "title", "text", "metadata"],
    "openfda": ["set_id", "version", "effective_time", "openfda", "indications_and_usage"],
}
FITTING: dict[str, st.SearchStrategy[Any]] = {
    "year": HUGE_INTS,
    "contexts": st.lists(NASTY_TEXT, min_size=1, max_size=3),
    "labels": st.lists(NASTY_TEXT, max_size=3),
    "meshes": st.lists(NASTY_TEXT, max_size=3),
    "mesh": st.lists(NASTY_TEXT, max_size=3),
    "metadata": st.dictionaries(NASTY_TEXT, JSON_VALUES, max_size=3),
    "openfda": st.fixed_dictionaries(
        {"brand_name": st.lists(NASTY_TEXT, max_size=2), "generic_name": st.lists(NASTY_TEXT)}
    ),
    "indications_and_usage": st.lists(NASTY_TEXT, min_size=1, max_size=2),
}


def _record(fmt: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {name: FITTING.get(name, NASTY_TEXT) | JSON_VALUES for name in FIELDS[fmt]}
    )


def _line(value: Any) -> bytes:
    # ensure_ascii writes a surrogate as the "\ud800" escape a broken exporter emits.
    return json.dumps(value).encode("ascii")


ODD_LINES = st.sampled_from(
    [b"[" * 5000, b'{"a": ' * 3000, b'{"id": 1' + b"0" * 5000 + b"}", b"\xff\xfe{", b"{}", b"null"]
)


def _truncate(data: bytes, cut: int | None) -> bytes:
    return data if cut is None else data[: min(cut, len(data))]


def _read(data: bytes, name: str, fmt: str) -> list[Document | IngestProblem]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        items = list(read_documents(path, fmt))
    for item in items:
        if isinstance(item, Document):
            check_document(item)
            item.content_hash.encode("utf-8")
        else:
            assert isinstance(item, IngestProblem), item
            str(item).encode("utf-8")  # a problem's message must print
    return items


def _jsonl_fuzz(fmt: str, name: str) -> Any:
    @FUZZ
    @given(
        st.lists(_record(fmt).map(_line) | ODD_LINES, min_size=1, max_size=6),
        st.none() | st.integers(min_value=0, max_value=4000),
    )
    def run(lines: list[bytes], cut: int | None) -> None:
        _read(_truncate(b"\n".join(lines), cut), name, fmt)

    return run


test_generic_jsonl_reader_never_raises = _jsonl_fuzz("jsonl", "mine.jsonl")
test_medquad_reader_never_raises = _jsonl_fuzz("medquad", "medquad.jsonl")
test_pubmedqa_reader_never_raises = _jsonl_fuzz("pubmedqa", "corpus.jsonl")
test_beir_reader_never_raises = _jsonl_fuzz("beir", "corpus.jsonl")
test_openfda_jsonl_reader_never_raises = _jsonl_fuzz("openfda", "labels.jsonl")


@FUZZ
@given(st.lists(_record("openfda"), max_size=3), st.none() | st.integers(0, 3000))
def test_openfda_json_reader_never_raises(records: list[dict[str, Any]], cut: int | None) -> None:
    _read(_truncate(_line({"meta": {}, "results": records}), cut), "labels.json", "openfda")


def _xml_text(text: str) -> bytes:
    """``text`` as it lands in an XML file: escaped, surrogates as the raw bytes a broken
    writer leaves (``surrogatepass``), NUL as is."""
    return escape(text).encode("utf-8", "surrogatepass")


@FUZZ
@given(
    st.lists(st.tuples(NASTY_TEXT, NASTY_TEXT, NASTY_TEXT, HUGE_INTS), max_size=3),
    st.none() | st.integers(0, 3000),
    st.booleans(),
)
def test_pubmed_xml_reader_never_raises(
    articles: list[tuple[str, str, str, int]], cut: int | None, nested: bool
) -> None:
    parts = [b"<?xml version='1.0'?>\n<PubmedArticleSet>"]
    for pmid, title, abstract, year in articles:
        extra = b"<Abstract>" * 50 if nested else b""
        parts.append(
            b"<PubmedArticle><MedlineCitation><PMID>%s</PMID><Article><Journal><JournalIssue>"
            b"<PubDate><Year>%d</Year></PubDate></JournalIssue><Title>J</Title></Journal>"
            b"<ArticleTitle>%s</ArticleTitle><Abstract>%s<AbstractText>%s</AbstractText>"
            b"</Abstract></Article></MedlineCitation></PubmedArticle>"
            % (_xml_text(pmid), year, _xml_text(title), extra, _xml_text(abstract))
        )
    parts.append(b"</PubmedArticleSet>")
    _read(_truncate(b"".join(parts), cut), "pubmed.xml", "pubmed-xml")


@FUZZ
@given(NASTY_TEXT, NASTY_TEXT, st.none() | st.integers(0, 2000))
def test_spl_reader_never_raises(title: str, text: str, cut: int | None) -> None:
    document = (
        b'<?xml version="1.0"?><document xmlns="urn:hl7-org:v3"><setId root="%s"/>'
        b'<versionNumber value="%s"/><effectiveTime value="20140113"/><component>'
        b'<structuredBody><component><section><code code="34067-9"/><title>%s</title>'
        b"<text><paragraph>%s</paragraph></text></section></component></structuredBody>"
        b"</component></document>"
        % (_xml_text(title), _xml_text(text), _xml_text(title), _xml_text(text))
    )
    _read(_truncate(document, cut), "label.xml", "spl")


@FUZZ
@given(NASTY_TEXT, NASTY_TEXT, st.none() | st.integers(0, 1000), st.integers(0, 60))
def test_guideline_html_reader_never_raises(
    title: str, text: str, cut: int | None, depth: int
) -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>%s</title></head><body>%s<h1>%s</h1><p>%s</p>"
        b"<p>%s</p></body></html>"
        % (_xml_text(title), b"<div>" * depth, _xml_text(title), _xml_text(text), _xml_text(text))
    )
    _read(_truncate(page, cut), "guideline.html", "guideline-html")


@FUZZ
@given(st.binary(max_size=200), st.integers(0, 3000))
def test_guideline_pdf_reader_never_raises(garbage: bytes, cut: int) -> None:
    """A truncated PDF, then garbage after its header."""
    _read(_truncate(PDF, cut) + garbage, "guideline.pdf", "guideline-pdf")
    _read(b"%PDF-1.4\n" + garbage, "guideline.pdf", "guideline-pdf")


def _small_pdf() -> bytes:
    from guideline_files import make_guideline_pdf

    with tempfile.TemporaryDirectory() as directory:
        return make_guideline_pdf(Path(directory) / "g.pdf").read_bytes()


PDF = _small_pdf()

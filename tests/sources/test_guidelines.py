"""Guideline PDFs (generated with reportlab) and HTML pages: headings, pages, grades, bad
files, search, provenance in answers and version replacement."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from guideline_files import (
    GUIDELINE_HTML,
    RECOMMENDATION,
    SECONDARY,
    TITLE,
    guideline_story,
    make_guideline_pdf,
    make_image_only_pdf,
)

from medcite.compose.markdown import to_markdown
from medcite.config import Settings
from medcite.ingest.chunk import chunk_document
from medcite.models import Document, EvidenceLevel, IngestProblem
from medcite.provenance import provenance
from medcite.service import Engine
from medcite.sources.grades import find_grades
from medcite.sources.read import detect_format, expand_paths, read_documents

PPMS_PATH = ["2 Recommendations", "2.1 Disease-modifying therapy", "2.1.1 Primary progressive MS"]


def only_document(path: Path) -> Document:
    items = list(read_documents(path))
    assert len(items) == 1 and isinstance(items[0], Document), items
    return items[0]


def origin_of(doc: Document, fragment: str) -> dict:
    """Provenance of the one passage that contains ``fragment``."""
    [passage] = [p for p in chunk_document(doc) if fragment in p.text]
    return provenance(doc, passage)


def test_pdf_headings_pages_and_grades(tmp_path: Path) -> None:
    path = make_guideline_pdf(tmp_path / "ms.pdf")
    assert detect_format(path) == "guideline-pdf"
    doc = only_document(path)
    assert doc.doc_id == "guideline:test-guideline-on-progressive-multiple-sclerosis"
    assert doc.title == TITLE and doc.source == "Test Neurology Society"
    assert doc.evidence_level is EvidenceLevel.GUIDELINE
    assert RECOMMENDATION in doc.text and SECONDARY in doc.text  # lines re-joined exactly
    ppms = origin_of(doc, RECOMMENDATION)
    assert ppms["heading_path"] == PPMS_PATH
    assert ppms["pages"] == [1, 1] and ppms["grades"] == ["Level B"]
    spms = origin_of(doc, SECONDARY)
    assert spms["pages"] == [2, 2]
    assert spms["heading_path"][-1] == "2.1.2 Secondary progressive MS"
    assert spms["grades"] == ["strong recommendation", "moderate-certainty evidence"]
    assert doc.metadata["recommendation_grades"] == [
        "Level B",
        "strong recommendation",
        "moderate-certainty evidence",
    ]


def test_pdf_headings_by_font_size_without_numbers(tmp_path: Path) -> None:
    story = [
        (style, text.lstrip("0123456789. ") if style.startswith("h") else text)
        for style, text in guideline_story()
    ]
    doc = only_document(make_guideline_pdf(tmp_path / "plain.pdf", story=story, title=None))
    assert doc.title == TITLE  # the largest line on page 1, metadata being empty
    ppms = origin_of(doc, RECOMMENDATION)
    assert ppms["heading_path"] == [
        "Recommendations",
        "Disease-modifying therapy",
        "Primary progressive MS",
    ]


def test_bad_pdfs_are_reported_and_skipped(tmp_path: Path) -> None:
    cases = {
        make_guideline_pdf(tmp_path / "locked.pdf", encrypt="secret"): "encrypted PDF",
        make_image_only_pdf(tmp_path / "scan.pdf"): "no text layer (2 page(s)",
    }
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer garbage")
    cases[damaged] = "not a readable PDF"
    for path, reason in cases.items():
        items = list(read_documents(path))
        assert len(items) == 1 and isinstance(items[0], IngestProblem), (path, items)
        assert items[0].record == "file" and reason in items[0].reason


def test_html_guideline(tmp_path: Path) -> None:
    path = tmp_path / "gout.html"
    path.write_text(GUIDELINE_HTML)
    assert detect_format(path) == "guideline-html"
    assert expand_paths([tmp_path]) == [path]
    doc = only_document(path)
    assert doc.title == "Test Guideline for the Management of Gout"
    assert (doc.source, doc.year) == ("Test Rheumatology Society", 2020)
    assert doc.url == "https://guidelines.example.org/gout-2020"
    for left_out in ["Home", "Site header", "Copyright", "tracking"]:
        assert left_out not in doc.text
    assert "Colchicine | 1.2 mg then 0.6 mg one hour later" in doc.text
    assert "Continue urate-lowering therapy indefinitely once started." in doc.text
    allopurinol = origin_of(doc, "Allopurinol is recommended")
    assert allopurinol["heading_path"] == ["Recommendations", "Urate-lowering therapy"]
    assert allopurinol["grades"] == ["Grade 1A"] and allopurinol["pages"] is None
    flares = origin_of(doc, "Colchicine, NSAIDs")
    assert flares["heading_path"] == ["Recommendations", "Flare management"]
    assert flares["grades"] == ["conditional recommendation", "low-certainty evidence"]


def test_broken_and_empty_html(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><h2>Dosing<p>Give 5 mg once daily.<p>Then <b>10 mg")
    doc = only_document(broken)
    assert doc.text == "Dosing\n\nGive 5 mg once daily.\n\nThen 10 mg"
    empty = tmp_path / "empty.html"
    empty.write_text("<!DOCTYPE html><html><head><title>x</title></head><body><nav>Menu</nav>")
    binary = tmp_path / "binary.html"
    binary.write_bytes(b"<html>\x00\x01\x02\xff" * 10)
    for path, reason in [(empty, "no text found"), (binary, "binary data")]:
        [problem] = read_documents(path)
        assert isinstance(problem, IngestProblem) and reason in problem.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Offer X (Level A).", ["Level A"]),
        (
            "Level of evidence: 2a. Grade 1A. Grade B.",
            ["Level of evidence: 2a", "Grade 1A", "Grade B"],
        ),
        ("COR IIa, LOE B-R", ["COR IIa", "LOE B-R"]),
        (
            "very low-certainty evidence; weak recommendation",
            ["very low-certainty evidence", "weak recommendation"],
        ),
        ("the level a patient reached; grade 3 toxicity; class I drugs", []),
    ],
)
def test_find_grades(text: str, expected: list[str]) -> None:
    found = find_grades(text, offset=100)
    assert [wording for _, _, wording in found] == expected
    assert all(text[s - 100 : e - 100] == wording for s, e, wording in found)


def test_guideline_answer_provenance_and_new_version_replaces(
    tmp_path: Path, answer_schema: dict, fixture_corpus: list[Path]
) -> None:
    first = make_guideline_pdf(tmp_path / "ms.pdf")
    updated = RECOMMENDATION.replace("(Level B)", "(Level A)")
    # Another file name, same guideline title: the same document, a newer version.
    second = make_guideline_pdf(tmp_path / "ms-2025.pdf", story=guideline_story(updated))
    with Engine(Settings(home=tmp_path / "home")) as engine:
        engine.ingest([first, fixture_corpus[0]])
        answer = engine.answer(
            "What are the treatment options for primary progressive multiple sclerosis?"
        )
        data = answer.to_dict()
        jsonschema.validate(data, answer_schema)
        guideline_refs = [r for r in data["references"] if r["evidence_level"] == "guideline"]
        assert guideline_refs, [r["doc_id"] for r in data["references"]]
        origin = guideline_refs[0]["provenance"]
        assert origin["kind"] == "guideline" and origin["title"] == TITLE
        assert origin["pages"] and origin["heading_path"]
        assert f"p. {origin['pages'][0]}" in to_markdown(answer)

        report = engine.ingest([second])
        assert (report.total("updated"), report.total("added")) == (1, 0)
        hits = engine.search("ocrelizumab primary progressive ambulatory adults", k=3)
        top = [h for h in hits if h.document.doc_id.startswith("guideline:")][0]
        assert "(Level A)" in top.passage.text and "(Level B)" not in top.document.text

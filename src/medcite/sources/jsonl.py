"""medcite's generic JSONL format: bring any corpus as one JSON object per line.

Example line::

    {"id": "nice-ng220-1.2", "title": "Multiple sclerosis in adults: management",
     "text": "Offer ...", "source": "NICE", "year": 2022,
     "url": "https://www.nice.org.uk/guidance/ng220", "publication_types": ["Practice Guideline"],
     "mesh": ["Multiple Sclerosis"], "collection": "nice"}

Fields:

- ``id`` (required; string or integer): unique within the collection;
- ``title`` (required; string): the citation title; when empty, ``"<source> <id>"`` is shown;
- ``text`` (required; string): the full text, cited verbatim; blank lines separate paragraphs;
- ``collection`` (string, default ``"jsonl"``): corpus name, used in ids and filters;
- ``source`` (string, default: the collection): journal, agency or guideline body;
- ``year`` (integer or null): publication year;
- ``url`` (string or null): link shown with the citation;
- ``publication_types`` (list of strings): PubMed publication types, which set the evidence
  level ("Practice Guideline", "Systematic Review", "Randomized Controlled Trial",
  "Drug Label", ...); without them it is inferred from title/text cues;
- ``mesh`` (list of strings): MeSH terms or other subject headings.

The document id is ``<collection>:<id>``, or ``id`` itself when it already has a prefix
(contains ``:``, e.g. ``pmid:123``). Other fields are ignored. A line with a missing required
field or a field of the wrong type is reported (``line N: field 'year' must be ...``) and
skipped; the rest of the file is read. Empty ``text`` falls back to the title; a text over
2,000,000 characters is rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medcite.models import Document, IngestProblem
from medcite.sources.common import (
    RecordError,
    body_or_title,
    optional_str,
    optional_year,
    read_jsonl,
    required_id,
    required_str,
    str_list,
)
from medcite.sources.evidence import evidence_level

DEFAULT_COLLECTION = "jsonl"


def read_jsonl_documents(path: Path) -> Iterator[Document | IngestProblem]:
    """Yield a `Document` per good line and an `IngestProblem` per bad line."""
    return read_jsonl(path, _document)


def _document(record: dict[str, Any]) -> Document:
    record_id = required_id(record, "id")
    title = required_str(record, "title").strip()
    body = required_str(record, "text")
    collection = (optional_str(record, "collection") or "").strip() or DEFAULT_COLLECTION
    if ":" in collection:
        raise RecordError("field 'collection' must not contain ':'")
    publication_types = str_list(record, "publication_types")
    source = (optional_str(record, "source") or "").strip() or collection
    text, metadata = body_or_title(body, title)
    return Document(
        doc_id=record_id if ":" in record_id else f"{collection}:{record_id}",
        collection=collection,
        title=title or f"{source} {record_id}",
        text=text,
        source=source,
        year=optional_year(record),
        url=optional_str(record, "url"),
        publication_types=publication_types,
        mesh=str_list(record, "mesh"),
        evidence_level=evidence_level(publication_types, collection, title, body),
        metadata=metadata,
    )

"""PubMedQA corpus JSONL: ``{"pmid","title","contexts","labels","meshes","year"}`` per line.

- doc_id ``pmid:<pmid>``, collection "pubmedqa", source "PubMed",
  url ``https://pubmed.ncbi.nlm.nih.gov/<pmid>/``;
- title: ``title`` when present, else ``"PubMed <pmid>"`` (PQA-L has no titles, and its
  question is not one);
- text: the ``contexts`` joined by a blank line, each a `Section` labelled with ``labels[i]``
  (None when the labels run out);
- mesh from ``meshes``; year int or null; evidence level from text cues.

Required: ``pmid`` and ``contexts`` (a list of strings).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medcite.models import Document, IngestProblem, Section
from medcite.sources.common import (
    RecordError,
    body_or_title,
    optional_str,
    optional_year,
    pubmed_url,
    read_jsonl,
    required_id,
    str_list,
)
from medcite.sources.evidence import evidence_level

_PARAGRAPH = "\n\n"


def read_pubmedqa(path: Path) -> Iterator[Document | IngestProblem]:
    """Yield a `Document` per corpus line and an `IngestProblem` per bad line."""
    return read_jsonl(path, _document)


def _document(record: dict[str, Any]) -> Document:
    pmid = required_id(record, "pmid")
    if "contexts" not in record:
        raise RecordError("missing required field 'contexts'")
    contexts = str_list(record, "contexts")
    labels = str_list(record, "labels")
    title = (optional_str(record, "title") or "").strip()
    sections = []
    offset = 0
    for i, context in enumerate(contexts):
        sections.append(
            Section(labels[i] if i < len(labels) else None, offset, offset + len(context))
        )
        offset += len(context) + len(_PARAGRAPH)
    abstract = _PARAGRAPH.join(contexts)
    text, metadata = body_or_title(abstract, title)
    return Document(
        doc_id=f"pmid:{pmid}",
        collection="pubmedqa",
        title=title or f"PubMed {pmid}",
        text=text,
        source="PubMed",
        year=optional_year(record),
        url=pubmed_url(pmid),
        mesh=str_list(record, "meshes"),
        evidence_level=evidence_level((), "pubmedqa", title, abstract),
        sections=tuple(sections) if abstract.strip() else (),
        metadata=metadata,
    )

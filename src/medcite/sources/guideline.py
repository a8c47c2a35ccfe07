"""Guideline documents (from PDF or HTML) built the same way from headings and paragraphs.

A reader turns its file into `Block`s in reading order — headings with their level,
paragraphs with the page they are on — and `guideline_document` lays them out:

- doc_id ``guideline:<slug of the title>``: stable across versions of the same guideline, so
  re-ingesting a newer version replaces the old passages (rename the title to keep both);
- every passage's section is its heading path ("Recommendations › Disease-modifying
  therapy › Progressive MS"); a heading is text too, at the start of its first paragraph
  (it carries the topic words), unless a subheading follows it directly;
- metadata ``guideline`` (True), ``file`` (name), ``format`` ("pdf" / "html"),
  ``page_starts`` (text offset where each page begins; PDF only), ``grades``
  (``[start, end, wording]`` of every recommendation strength / evidence grade stated) and
  ``recommendation_grades`` (their distinct wordings), ``version`` when the file states one;
- evidence level "guideline".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcite.models import Document, EvidenceLevel
from medcite.sources.blocks import TextBuilder, heading_label
from medcite.sources.common import RecordError, check_document
from medcite.sources.grades import find_grades

_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


@dataclass(frozen=True)
class Block:
    """A heading (``level`` >= 1) or a paragraph (``level`` 0) in reading order."""

    text: str
    level: int = 0
    page: int | None = None


@dataclass(frozen=True)
class GuidelineInfo:
    title: str
    source: str
    year: int | None
    url: str | None
    path: Path
    fmt: str  # "pdf" | "html"
    version: str | None = None


def slug(title: str) -> str:
    return _SLUG.sub("-", title.lower()).strip("-")[:MAX_SLUG].rstrip("-")


def guideline_document(blocks: Iterable[Block], info: GuidelineInfo) -> Document:
    """The guideline as one document; raises `RecordError` when it has no text."""
    builder = TextBuilder()
    headings: list[tuple[int, str]] = []
    pending: Block | None = None  # a heading waits for its first paragraph
    page_starts: list[int] = []
    grades: list[list[Any]] = []
    for block in blocks:
        if block.level:
            while headings and headings[-1][0] >= block.level:
                headings.pop()
            headings.append((block.level, block.text))
            pending = block
            continue
        label = heading_label([h for _, h in headings])
        for part in (pending, block) if pending else (block,):
            start, _ = builder.add(part.text, label)
            if part.page is not None:
                page_starts += [start] * (part.page - len(page_starts))
            grades += [list(g) for g in find_grades(part.text.strip(), start)]
        pending = None
    if builder.empty:
        raise RecordError("no text found")
    identifier = slug(info.title) or slug(info.path.stem)
    metadata: dict[str, Any] = {
        "guideline": True,
        "file": info.path.name,
        "format": info.fmt,
        "grades": grades,
        "recommendation_grades": list(dict.fromkeys(g[2] for g in grades)),
    }
    if page_starts:
        metadata["page_starts"] = page_starts
    if info.version:
        metadata["version"] = info.version
    return check_document(
        Document(
            doc_id=f"guideline:{identifier}",
            collection="guideline",
            title=info.title,
            text=builder.text,
            source=info.source,
            year=info.year,
            url=info.url,
            evidence_level=EvidenceLevel.GUIDELINE,
            sections=builder.sections,
            metadata=metadata,
        )
    )

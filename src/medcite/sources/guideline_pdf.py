"""Guideline PDFs through pdfminer.six (MIT; the ``sources`` extra): text, pages, headings.

Each text line's font size and weight come from pdfminer's layout analysis. The body size is
the size most characters have; a short line (at most ``MAX_HEADING_WORDS`` words, not ending
in a full stop) is a heading when its font is clearly larger than the body or it is all bold,
or when it is numbered like a heading ("2.1 Progressive MS"). Heading levels come from the
numbering depth when there is one, else from the font size (largest first). The largest line
on page 1 is the title when the PDF's metadata has none. Lines of one layout box are joined
into a paragraph (a word hyphenated across a line break is re-joined). Every block keeps its
page number, so citations can say "p. 3".

Bad files are one `IngestProblem` each, and nothing of them is ingested: encrypted with a
password, not a PDF / damaged, or scanned (no text layer: OCR it first, e.g. ``ocrmypdf``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcite.models import Document, IngestProblem
from medcite.sources.blocks import flat
from medcite.sources.common import RecordError
from medcite.sources.guideline import Block, GuidelineInfo, guideline_document

MAX_HEADING_WORDS = 14
LARGER_BY = 1.15  # a heading font is at least 15 % larger than the body font
MIN_CHARS_PER_PAGE = 20  # below this on average, the PDF has no real text layer
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+\S")
_YEAR = re.compile(r"(19|20)\d\d")


@dataclass(frozen=True)
class _Line:
    text: str
    size: float
    bold: bool
    page: int
    box: int  # layout box id: lines of one box form a paragraph


class PdfUnavailable(RecordError):
    """pdfminer.six is not installed."""


def read_guideline_pdf(path: Path) -> Iterator[Document | IngestProblem]:
    """Yield the guideline document, or one ``IngestProblem(record="file")``."""
    try:
        lines, meta, pages = _read_lines(path)
        if sum(len(line.text) for line in lines) < MIN_CHARS_PER_PAGE * max(pages, 1):
            raise RecordError(
                f"no text layer ({pages} page(s): scanned or image-only?); run OCR first "
                "(e.g. ocrmypdf) and ingest the result"
            )
        title_line = _title_line(lines)
        document = guideline_document(_blocks(lines, title_line), _info(path, title_line, meta))
    except RecordError as exc:
        yield IngestProblem(str(path), "file", str(exc))
        return
    yield document


def _read_lines(path: Path) -> tuple[list[_Line], dict[str, str], int]:
    try:
        from pdfminer.high_level import extract_pages
        from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
        from pdfminer.pdfdocument import PDFDocument, PDFPasswordIncorrect
        from pdfminer.pdfparser import PDFParser
    except ImportError:  # pragma: no cover - depends on the installation
        raise PdfUnavailable(
            "reading PDFs needs pdfminer.six: pip install 'medcite[sources]'"
        ) from None
    lines: list[_Line] = []
    pages = 0
    try:
        with path.open("rb") as handle:
            meta = _metadata(PDFDocument(PDFParser(handle)))
        for pages, page in enumerate(extract_pages(path, laparams=LAParams()), start=1):
            for box_id, box in enumerate(e for e in page if isinstance(e, LTTextContainer)):
                for line in box:
                    if not isinstance(line, LTTextLine) or not line.get_text().strip():
                        continue
                    chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
                    if not chars:
                        continue
                    size = round(sum(c.size for c in chars) / len(chars), 1)
                    bold = all("bold" in c.fontname.lower() for c in chars)
                    lines.append(_Line(line.get_text().strip(), size, bold, pages, box_id))
    except PDFPasswordIncorrect:
        raise RecordError("encrypted PDF: it needs a password; decrypt it first") from None
    except RecordError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types for damaged files
        raise RecordError(f"not a readable PDF: {type(exc).__name__}: {exc}") from None
    return _merge_wrapped(lines), meta, pages


def _merge_wrapped(lines: list[_Line]) -> list[_Line]:
    """Consecutive lines of one layout box in the same font are one line: a wrapped
    heading or title stays whole, and a paragraph's lines are joined."""
    merged: list[_Line] = []
    for line in lines:
        last = merged[-1] if merged else None
        if last and (last.box, last.page, last.size, last.bold) == (
            line.box,
            line.page,
            line.size,
            line.bold,
        ):
            merged[-1] = _Line(_join([last, line]), line.size, line.bold, line.page, line.box)
        else:
            merged.append(line)
    return merged


def _metadata(document: Any) -> dict[str, str]:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    found: dict[str, str] = {}
    for info in document.info or []:
        for key, value in resolve1(info).items():
            value = resolve1(value)
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and value.strip():
                found[key] = flat(value)
    return found


def _blocks(lines: list[_Line], title_line: _Line | None) -> Iterator[Block]:
    body = _body_size(lines)
    heading_sizes = sorted(
        {line.size for line in lines if line.size >= body * LARGER_BY and line is not title_line},
        reverse=True,
    )
    paragraph: list[_Line] = []  # lines of one box in different fonts (inline bold, ...)
    for line in lines:
        level = 0 if line is title_line else _heading_level(line, body, heading_sizes)
        if level or line is title_line or (paragraph and line.box != paragraph[-1].box):
            if paragraph:
                yield Block(_join(paragraph), 0, paragraph[0].page)
                paragraph = []
        if level:
            yield Block(line.text, level, line.page)
        elif line is title_line:
            yield Block(line.text, 0, line.page)
        else:
            paragraph.append(line)
    if paragraph:
        yield Block(_join(paragraph), 0, paragraph[0].page)


def _body_size(lines: list[_Line]) -> float:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0]


def _title_line(lines: list[_Line]) -> _Line | None:
    """The largest line on the first page, when it is larger than the body text."""
    first_page = [line for line in lines if line.page == lines[0].page]
    biggest = max(first_page, key=lambda line: line.size)
    return biggest if biggest.size >= _body_size(lines) * LARGER_BY else None


def _heading_level(line: _Line, body: float, heading_sizes: list[float]) -> int:
    words = line.text.split()
    if len(words) > MAX_HEADING_WORDS or line.text.endswith((".", ",", ";")):
        return 0
    numbered = _NUMBERED.match(line.text)
    larger = line.size >= body * LARGER_BY
    if not (larger or line.bold or (numbered and words[1][:1].isupper())):
        return 0
    if numbered:
        return numbered.group(1).count(".") + 1
    if larger:
        return heading_sizes.index(line.size) + 1 if line.size in heading_sizes else 1
    return len(heading_sizes) + 1  # bold at body size: below every larger heading


def _join(lines: list[_Line]) -> str:
    text = lines[0].text
    for line in lines[1:]:
        if text.endswith("-") and text[-2:-1].isalpha() and line.text[:1].islower():
            text = text[:-1] + line.text  # "treat-" + "ment"
        else:
            text = f"{text} {line.text}"
    return flat(text)


def _info(path: Path, title_line: _Line | None, meta: dict[str, str]) -> GuidelineInfo:
    title = meta.get("Title") or (title_line.text if title_line else path.stem)
    dates = [meta.get(k, "") for k in ("CreationDate", "ModDate")]
    years = [int(m.group()) for d in dates if (m := _YEAR.search(d))]
    return GuidelineInfo(
        title=title,
        source=meta.get("Author") or "Clinical guideline",
        year=years[0] if years else None,
        url=None,
        path=path,
        fmt="pdf",
    )

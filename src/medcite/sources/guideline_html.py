"""Guideline web pages (HTML, parsed leniently with lxml) with their heading hierarchy.

``<h1>``–``<h6>`` are headings (the first ``<h1>`` is the page title, not part of the path);
``<p>``, ``<li>``, ``<dt>``/``<dd>``, ``<blockquote>``, ``<pre>`` and captions are paragraphs,
table rows are paragraphs with cells joined by " | ", and a ``<div>``/``<section>`` holding
only inline content is a paragraph too. Navigation, headers, footers, asides, scripts,
styles and forms are left out. Title, publisher, date and URL come from the usual meta tags
(``citation_title``, ``citation_publisher``, ``citation_publication_date``, ``dc.*``,
``og:*``, ``<link rel="canonical">``), else ``<title>`` / the first ``<h1>``.

Unparseable or empty pages are one `IngestProblem` each; nothing of them is ingested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree, html

from medcite.models import Document, IngestProblem
from medcite.sources.blocks import flat
from medcite.sources.common import RecordError
from medcite.sources.guideline import Block, GuidelineInfo, guideline_document

HEADINGS = {f"h{n}": n for n in range(1, 7)}
PARAGRAPHS = {"p", "li", "dt", "dd", "blockquote", "pre", "caption", "figcaption"}
SKIPPED = {"script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template"}
BLOCK_TAGS = {*HEADINGS, *PARAGRAPHS, "table", "div", "section", "article", "ul", "ol", "dl"}
_YEAR = re.compile(r"\b(19|20)\d\d\b")


def read_guideline_html(path: Path) -> Iterator[Document | IngestProblem]:
    """Yield the guideline document, or one ``IngestProblem(record="file")``."""
    try:
        data = path.read_bytes()
        if b"\x00" in data[:4096]:
            raise RecordError("binary data, not HTML")
        try:
            root = html.document_fromstring(data)
        except (etree.ParserError, ValueError) as exc:
            raise RecordError(f"unparseable HTML: {exc}") from None
        for element in list(root.iter(*SKIPPED)):
            element.drop_tree()
        info = _info(path, root)
        document = guideline_document(_blocks(root, info.title), info)
    except RecordError as exc:
        yield IngestProblem(str(path), "file", str(exc))
        return
    yield document


def _blocks(root: html.HtmlElement, title: str) -> Iterator[Block]:
    body = root.find("body")
    if body is None:
        return
    title_skipped = False
    for element, level in _walk(body):
        text = flat(element.text_content()) if element.tag != "table" else ""
        if level == 1 and not title_skipped and text == title:
            title_skipped = True  # the page title heads everything; not part of the path
            continue
        if element.tag == "table":
            for row in element.iter("tr"):
                cells = [flat(c.text_content()) for c in row if c.tag in ("td", "th")]
                yield Block(" | ".join(c for c in cells if c))
        else:
            yield Block(text, level)


def _walk(element: html.HtmlElement) -> Iterator[tuple[html.HtmlElement, int]]:
    """Block elements in document order, as (element, heading level or 0); a block's own
    descendants are inside its text and not visited again."""
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments, processing instructions
        if child.tag in HEADINGS:
            yield child, HEADINGS[child.tag]
        elif child.tag in PARAGRAPHS or child.tag == "table":
            yield child, 0
        elif any(d.tag in BLOCK_TAGS for d in child.iterdescendants() if isinstance(d.tag, str)):
            if (child.text or "").strip():
                yield _text_only(child.text), 0
            yield from _walk(child)
        else:
            yield child, 0  # a div or span of inline content is a paragraph
        if (child.tail or "").strip() and element.tag not in PARAGRAPHS:
            yield _text_only(child.tail), 0


def _text_only(text: str) -> html.HtmlElement:
    paragraph = html.Element("p")
    paragraph.text = text
    return paragraph


def _meta(root: html.HtmlElement, *names: str) -> str | None:
    for name in names:
        for element in root.iter("meta"):
            key = (element.get("name") or element.get("property") or "").lower()
            if key == name and (element.get("content") or "").strip():
                return flat(element.get("content"))
    return None


def _info(path: Path, root: html.HtmlElement) -> GuidelineInfo:
    first_h1 = next(root.iter("h1"), None)
    title_element = root.find(".//title")
    title = (
        _meta(root, "citation_title", "dc.title", "og:title")
        or (flat(first_h1.text_content()) if first_h1 is not None else "")
        or (flat(title_element.text_content()) if title_element is not None else "")
        or path.stem
    )
    date = _meta(
        root, "citation_publication_date", "citation_date", "dc.date", "article:published_time"
    )
    year = _YEAR.search(date or "")
    canonical = next(
        (link.get("href") for link in root.iter("link") if link.get("rel") == "canonical"), None
    )
    return GuidelineInfo(
        title=title,
        source=_meta(root, "citation_publisher", "dc.publisher", "og:site_name", "author")
        or "Clinical guideline",
        year=int(year.group()) if year else None,
        url=canonical or _meta(root, "og:url"),
        path=path,
        fmt="html",
        version=_meta(root, "citation_version", "version"),
    )

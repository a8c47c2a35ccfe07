"""FDA Structured Product Labeling (HL7 v3 SPL XML, as DailyMed and openFDA distribute it).

Reads the label's identity (``setId``, ``versionNumber``, ``effectiveTime``), the product
names (``manufacturedProduct/name`` = brand, ``genericMedicine/name`` = generic) and the
top-level ``structuredBody`` sections whose LOINC code is one of
`medcite.sources.labels.SECTION_KINDS`; everything else (highlights ``excerpt``s, package
panels, clinical pharmacology, ...) is left out. Inside a section, ``<paragraph>``s, list
items and table rows (cells joined by " | ") become blocks, inline markup is flattened and
``<br/>`` becomes a space; subsection headings are blocks too (they say what the paragraphs
under them are about, and SPL puts some contraindications entirely in the heading). The XML
is parsed without DTDs, entities or network (the root names an external stylesheet and
schema: never fetched).

A file that is not well-formed XML, has no setId, or has none of the wanted sections is one
`IngestProblem` and yields nothing, so a broken label is never half-ingested.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from medcite.models import Document, IngestProblem
from medcite.sources.blocks import flat
from medcite.sources.common import RecordError, open_binary
from medcite.sources.labels import KIND_BY_LOINC, Label, iso_date, label_documents

NS = "urn:hl7-org:v3"
_N = {"v": NS}
SPL_SOURCE = "FDA label (DailyMed SPL)"


def is_spl_root(root_tag: str, namespace: bytes | None) -> bool:
    """Whether an XML root (local name, namespace URI) is an SPL document."""
    return root_tag == "document" and namespace == NS.encode()


def read_spl(path: Path) -> Iterator[Document | IngestProblem]:
    """Yield the label's section documents, or one ``IngestProblem(record="file")``."""
    where = str(path)
    parser = etree.XMLParser(
        load_dtd=False, no_network=True, resolve_entities=False, huge_tree=False
    )
    try:
        with open_binary(path) as handle:
            root = etree.parse(handle, parser).getroot()
    except etree.XMLSyntaxError as exc:
        yield IngestProblem(where, f"line {exc.lineno}", f"malformed XML: {exc.msg}")
        return
    if etree.QName(root).localname != "document" or etree.QName(root).namespace != NS:
        yield IngestProblem(where, "file", f"not an SPL document (root <{root.tag}>)")
        return
    try:
        documents = label_documents(parse_label(root))
    except RecordError as exc:
        yield IngestProblem(where, "file", str(exc))
        return
    yield from documents


def parse_label(root: etree._Element) -> Label:
    """The `Label` of an SPL ``<document>`` element."""
    label = Label(
        set_id=_attr(root.find("v:setId", _N), "root"),
        version=_attr(root.find("v:versionNumber", _N), "value") or None,
        effective_date=iso_date(_attr(root.find("v:effectiveTime", _N), "value")),
        brand_names=_names(root, ".//v:manufacturedProduct/v:manufacturedProduct/v:name"),
        generic_names=_names(root, ".//v:asEntityWithGeneric/v:genericMedicine/v:name"),
        manufacturer=_text(
            root.find("v:author/v:assignedEntity/v:representedOrganization/v:name", _N)
        )
        or None,
        label_format="spl",
        collection="dailymed",
        source=SPL_SOURCE,
    )
    for section in root.iterfind("v:component/v:structuredBody/v:component/v:section", _N):
        kind = KIND_BY_LOINC.get(_attr(section.find("v:code", _N), "code"))
        if kind is not None:
            _add_section(label, kind.kind, section, (), top=True)
    return label


def _add_section(
    label: Label, kind: str, section: etree._Element, path: tuple[str, ...], top: bool
) -> None:
    """Add a section's heading and blocks under its heading path. The top level's path is
    empty: the kind's title replaces its own ("4 CONTRAINDICATIONS" → "Contraindications")."""
    title = _text(section.find("v:title", _N))
    here = path if top or not title else (*path, title)
    blocks = _blocks(section.find("v:text", _N))
    # A subsection heading is text too: it names what the paragraphs are about ("2.5 Dosage
    # in Patients With Renal Impairment"), and some contraindications are only a heading.
    for block in ([] if top or not title else [title]) + blocks:
        label.add(kind, here, block)
    for child in section.iterfind("v:component/v:section", _N):
        _add_section(label, kind, child, here, top=False)


def _blocks(text: etree._Element | None) -> list[str]:
    if text is None:
        return []
    for br in text.iter(f"{{{NS}}}br"):
        br.tail = " " + (br.tail or "")
    blocks = [flat(text.text or "")]
    for child in text:
        name = etree.QName(child).localname
        if name == "list":
            blocks += [_text(item) for item in child.findall("v:item", _N)]
        elif name == "table":
            blocks += _table(child)
        elif name != "renderMultiMedia":
            blocks.append(_text(child))
        blocks.append(flat(child.tail or ""))
    return [b for b in blocks if b]


def _table(table: etree._Element) -> list[str]:
    rows = [_text(table.find("v:caption", _N))]
    for row in table.iter(f"{{{NS}}}tr"):
        cells = [_text(cell) for cell in row if etree.QName(cell).localname in ("td", "th")]
        rows.append(" | ".join(c for c in cells if c))
    return [r for r in rows if r]


def _names(root: etree._Element, xpath: str) -> list[str]:
    names = (_text(e) for e in root.iterfind(xpath, _N))
    return list(dict.fromkeys(n for n in names if n))


def _attr(element: etree._Element | None, name: str) -> str:
    return (element.get(name) or "").strip() if element is not None else ""


def _text(element: etree._Element | None) -> str:
    return flat("".join(element.itertext())) if element is not None else ""

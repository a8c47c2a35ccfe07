"""Sources: read corpus files into `Document`s, streaming, never stopping on bad input.

``read_documents(path)`` yields a `Document` for every good record and an `IngestProblem`
(``path``, ``record``, ``reason``) for every bad one, then carries on with the next record.
``record`` names the place: ``"line 12"`` (JSONL), ``"record 3 (PMID 123)"`` or
``"line 88"`` (XML), or ``"file"`` when the whole file is unusable (missing, unreadable,
empty, unknown format, truncated gzip).

Formats (``FORMATS``; ``"auto"`` detects): ``pubmed-xml`` (PubMed/MEDLINE XML, ``.xml[.gz]``),
``pubmedqa``, ``medquad``, ``beir`` (a folder with ``corpus.jsonl`` + ``queries.jsonl``, or its
``corpus.jsonl``), ``jsonl``, medcite's documented generic format (see
`medcite.sources.jsonl`), ``spl`` (FDA SPL drug-label XML), ``openfda`` (openFDA drug-label
JSON / JSONL), ``guideline-pdf`` and ``guideline-html`` (clinical guidelines, one document
each, with heading paths, pages and recommendation grades). JSONL files may be gzipped.

Policies shared by every format:

- Text is kept exactly as the source gives it (XML whitespace is normalised, since it is
  layout), so a passage is always a verbatim slice of ``Document.text``.
- A record with a title but no body text (a PubMed record without an abstract) is still a
  document: its text is the title, and ``metadata["text_is_title"]`` is True, so it can be
  found and cited by title while composers know there is no abstract behind it. A record with
  neither is a problem ("no title or text").
- A text over 2,000,000 characters is a problem ("document too large (N chars, limit
  2000000)"): such records are almost always broken concatenations.
- Every document passes `medcite.sources.common.check_document`: a lone surrogate or a NUL
  character in any field, a year outside 1-9999 or a metadata number that is not a finite
  64-bit value makes the record a problem, so nothing the store, the hash or a response
  encoder would choke on gets past the source.
- Every document's ``evidence_level`` comes from `medcite.sources.evidence.evidence_level`.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from medcite.models import Document, IngestProblem
from medcite.sources.beir import corpus_file, read_beir
from medcite.sources.common import first_json_object, open_binary
from medcite.sources.guideline_html import read_guideline_html
from medcite.sources.guideline_pdf import read_guideline_pdf
from medcite.sources.jsonl import read_jsonl_documents
from medcite.sources.medquad import read_medquad
from medcite.sources.openfda import looks_like_openfda, read_openfda
from medcite.sources.pubmed_xml import read_pubmed_xml
from medcite.sources.pubmedqa import read_pubmedqa
from medcite.sources.spl import is_spl_root, read_spl

__all__ = ["FORMATS", "UnknownFormat", "detect_format", "expand_paths", "read_documents"]

FORMATS = (
    "auto",
    "pubmed-xml",
    "pubmedqa",
    "medquad",
    "beir",
    "jsonl",
    "spl",
    "openfda",
    "guideline-pdf",
    "guideline-html",
)

Reader = Callable[[Path], Iterator[Document | IngestProblem]]
_READERS: dict[str, Reader] = {
    "pubmed-xml": read_pubmed_xml,
    "pubmedqa": read_pubmedqa,
    "medquad": read_medquad,
    "beir": read_beir,
    "jsonl": read_jsonl_documents,
    "spl": read_spl,
    "openfda": read_openfda,
    "guideline-pdf": read_guideline_pdf,
    "guideline-html": read_guideline_html,
}
# Which JSONL format a first record is, by the fields it has; first match wins.
_JSONL_SIGNATURES: tuple[tuple[str, frozenset[str]], ...] = (
    ("pubmedqa", frozenset({"pmid", "contexts"})),
    ("medquad", frozenset({"qtype", "answer"})),
    ("beir", frozenset({"_id", "text"})),
    ("jsonl", frozenset({"id", "title", "text"})),
)
_SUFFIXES = (
    ".xml",
    ".xml.gz",
    ".jsonl",
    ".jsonl.gz",
    ".json",
    ".json.gz",
    ".pdf",
    ".html",
    ".htm",
)
_PEEK_BYTES = 65536
# Prolog constructs before the root element: <?xml ...?>, <!DOCTYPE ...>, <!-- ... -->.
_XML_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.S)
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_XML_NAMESPACE = re.compile(rb"""\sxmlns\s*=\s*["']([^"']*)["']""")


class UnknownFormat(ValueError):
    """The format of a path could not be recognised; the message says what was found."""


def detect_format(path: Path) -> str:
    """Recognise the format of a file or BEIR folder from its first bytes / first record.

    XML must have a ``PubmedArticleSet`` root, or be SPL (``<document xmlns="urn:hl7-org:v3">``)
    or (X)HTML (a guideline page); ``%PDF-`` is a guideline PDF; JSON is openFDA labels when it
    has their fields; JSONL is matched on the fields of its first object
    (``contexts``+``pmid``: pubmedqa, ``qtype``+``answer``: medquad, ``_id``+``text``: beir,
    ``id``+``title``+``text``: jsonl). ``*.gz`` files are looked at un-gzipped.

    Raises `UnknownFormat` naming the path and what was found (XML root element, the fields
    of the first JSON record, ...). Never returns "auto".
    """
    path = Path(path)
    if path.is_dir():
        if _is_beir_dir(path):
            return "beir"
        raise UnknownFormat(
            f"{path}: a directory that is not a BEIR folder (corpus.jsonl + queries.jsonl)"
        )
    try:
        head = _peek(path)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnknownFormat(f"{path}: cannot read: {exc}") from exc
    if not head.strip():
        raise UnknownFormat(f"{path}: file is empty")
    if b"%PDF-" in head[:1024]:
        return "guideline-pdf"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:14].lower().startswith((b"<!doctype html", b"<html")):
        return "guideline-html"
    if head.lstrip().startswith(b"<"):
        return _detect_xml(path, head)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _detect_jsonl(path)
    raise UnknownFormat(f"{path}: neither XML nor JSONL (starts with {head.lstrip()[:20]!r})")


def read_documents(path: Path, fmt: str = "auto") -> Iterator[Document | IngestProblem]:
    """Stream the documents of one source path; problems are yielded, never raised.

    ``fmt`` is one of `FORMATS`; "auto" calls `detect_format`. A path that cannot be read,
    is empty or has an unrecognised format yields a single ``IngestProblem(record="file")``.
    Raises ValueError only for an ``fmt`` that is not in `FORMATS` (a caller bug).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    path = Path(path)
    where = str(path)
    problem = _unreadable(path)
    if problem:
        yield IngestProblem(where, "file", problem)
        return
    try:
        resolved = detect_format(path) if fmt == "auto" else fmt
    except UnknownFormat as exc:
        yield IngestProblem(where, "file", str(exc).removeprefix(f"{path}: "))
        return
    count = 0
    try:
        for item in _READERS[resolved](path):
            count += 1
            yield item
    except (OSError, EOFError, zlib.error) as exc:
        # Truncated or corrupt gzip, or the disk going away mid-read.
        yield IngestProblem(where, "file", f"read error after {count} records: {exc}")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Turn the paths a user gave into source paths, in a stable order without duplicates.

    A file is kept as given (even with an unknown suffix: `read_documents` then reports
    it). A BEIR folder is one source path. Any other directory is searched recursively, in
    sorted order, for ``*.xml``, ``*.xml.gz``, ``*.jsonl`` and ``*.jsonl.gz`` files, skipping
    hidden entries and treating nested BEIR folders as one path each. Missing paths are kept
    so that `read_documents` reports them.
    """
    result: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir() and not _is_beir_dir(path):
            result.extend(_walk(path))
        else:
            result.append(path)
    return list(dict.fromkeys(result))


def _walk(directory: Path) -> Iterator[Path]:
    for entry in sorted(directory.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if _is_beir_dir(entry):
                yield entry
            else:
                yield from _walk(entry)
        elif entry.name.endswith(_SUFFIXES):
            yield entry


def _is_beir_dir(path: Path) -> bool:
    return (path / "corpus.jsonl").is_file() and (path / "queries.jsonl").is_file()


def _unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read at all, or None."""
    target = corpus_file(path) if _is_beir_dir(path) else path
    if not target.exists():
        return "file not found"
    if target.is_dir():
        return None  # detect_format explains which directories are sources
    try:
        if target.stat().st_size == 0:
            return "file is empty"
        with target.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        return f"cannot read file: {exc.strerror or exc}"
    return None


def _peek(path: Path) -> bytes:
    with open_binary(path) as handle:
        return handle.read(_PEEK_BYTES)


def _detect_xml(path: Path, head: bytes) -> str:
    position = 0
    while prolog := _XML_PROLOG.match(head, position):
        position = prolog.end()
    root = _XML_ROOT.match(head, max(head.find(b"<", position), 0))
    name = root.group(1).decode("ascii", "replace") if root else "?"
    if name == "PubmedArticleSet":
        return "pubmed-xml"
    if name.lower() == "html":  # XHTML, or HTML after a comment
        return "guideline-html"
    namespace = _XML_NAMESPACE.search(head, root.end()) if root else None
    if is_spl_root(name, namespace.group(1) if namespace else None):
        return "spl"
    raise UnknownFormat(
        f"{path}: XML with root element <{name}>; the supported XML formats are PubMed "
        '<PubmedArticleSet> and FDA SPL <document xmlns="urn:hl7-org:v3">'
    )


def _detect_jsonl(path: Path) -> str:
    first = first_json_object(path)
    if looks_like_openfda(first, _peek(path)):
        return "openfda"
    if first is None:
        raise UnknownFormat(f"{path}: the first line is not a JSON object")
    fields = set(first)
    for name, required in _JSONL_SIGNATURES:
        if required <= fields:
            return name
    shown = ", ".join(sorted(fields)[:12])
    raise UnknownFormat(
        f"{path}: JSONL with fields {{{shown}}} matches no known format; the generic format "
        "needs id, title and text"
    )

"""Helpers shared by the format readers: opening files, JSONL records, field checks."""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, cast

from medcite.models import Document, IngestProblem

MAX_TEXT_CHARS = 2_000_000
# Years a citation can show; the store's INTEGER column holds any of them.
MIN_YEAR, MAX_YEAR = 1, 9999
# Numbers in metadata must fit a signed 64-bit integer (SQLite, PostgreSQL JSON consumers).
_INT64 = 2**63
# A lone surrogate cannot be encoded as UTF-8 (hashing, SQLite, HTTP responses all fail on
# it); PostgreSQL text cannot hold NUL. Both are broken input, never real clinical text.
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


class RecordError(ValueError):
    """A record is unusable; the message is the `IngestProblem` reason."""


def open_binary(path: Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, transparently un-gzipping ``*.gz``."""
    if path.name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def check_document(doc: Document) -> Document:
    """Return ``doc``, or raise `RecordError` when it cannot be stored and cited as given.

    Every reader passes each document it yields through this one check: text over
    `MAX_TEXT_CHARS`, a lone surrogate or a NUL character in any string (title, text, url,
    section labels, MeSH terms, metadata, ...), a year outside `MIN_YEAR`..`MAX_YEAR`, or a
    metadata number that is not a finite 64-bit value.
    """
    if len(doc.text) > MAX_TEXT_CHARS:
        raise RecordError(f"document too large ({len(doc.text)} chars, limit {MAX_TEXT_CHARS})")
    if doc.year is not None and not MIN_YEAR <= doc.year <= MAX_YEAR:
        shown = str(doc.year) if abs(doc.year) < 10**20 else "over 10^20"
        raise RecordError(f"'year' {shown} is out of range ({MIN_YEAR}-{MAX_YEAR})")
    strings = [
        ("doc_id", doc.doc_id),
        ("collection", doc.collection),
        ("title", doc.title),
        ("text", doc.text),
        ("source", doc.source),
        ("url", doc.url or ""),
        *(("publication_types", value) for value in doc.publication_types),
        *(("mesh", value) for value in doc.mesh),
        *(("sections", s.label or "") for s in doc.sections),
    ]
    for name, value in strings:
        _check_string(name, value)
    _check_value("metadata", doc.metadata)
    return doc


def _check_string(name: str, value: str) -> None:
    found = _BAD_CHARACTER.search(value)
    if found is None:
        return
    character = found.group()
    what = (
        "a NUL character" if character == "\x00" else f"a lone surrogate (U+{ord(character):04X})"
    )
    raise RecordError(
        f"'{name}' contains {what} at character {found.start()}; fix the file's encoding"
    )


def _check_value(name: str, value: Any) -> None:
    """Check the strings and numbers of a JSON-like metadata value, nested."""
    if isinstance(value, str):
        _check_string(name, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_string(name, str(key))  # before the key is part of a name in a message
            _check_value(f"{name}.{key}", item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_value(name, item)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise RecordError(f"'{name}' holds a number too large to store")
    elif isinstance(value, float) and not math.isfinite(value):
        raise RecordError(f"'{name}' holds {value}, which JSON cannot carry")


def body_or_title(text: str, title: str) -> tuple[str, dict[str, Any]]:
    """The text to index: the body, or the title when there is no body (flagged in metadata)."""
    if text.strip():
        return text, {}
    if title.strip():
        return title, {"text_is_title": True}
    raise RecordError("no title or text")


def read_jsonl(
    path: Path, to_document: Callable[[dict[str, Any]], Document | list[Document]]
) -> Iterator[Document | IngestProblem]:
    """Stream a JSONL file: the `Document` (or documents) of each good line, one
    `IngestProblem` per bad one.

    Blank lines are skipped. A line with invalid UTF-8, invalid JSON, a non-object value or a
    record ``to_document`` rejects (by raising `RecordError`) is reported as ``line N``.
    """
    where = str(path)
    seen_record = False
    offset = 0
    with open_binary(path) as handle:
        for number, raw in enumerate(handle, start=1):
            line_offset, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            seen_record = True
            try:
                made = to_document(_json_object(raw, number, line_offset))
                documents = made if isinstance(made, list) else [made]
                checked = [check_document(d) for d in documents]
            except RecordError as exc:
                yield IngestProblem(where, f"line {number}", str(exc))
                continue
            yield from checked
    if not seen_record:
        yield IngestProblem(where, "file", "file is empty")


def _json_object(raw: bytes, number: int, line_offset: int) -> dict[str, Any]:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(
            f"invalid UTF-8 at byte {exc.start} of the line (file offset "
            f"{line_offset + exc.start}): {exc.reason}"
        ) from None
    if number == 1:
        line = line.removeprefix("\ufeff")  # tolerate a UTF-8 byte-order mark
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"malformed JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError:  # an integer literal over Python's 4300-digit limit
        raise RecordError("malformed JSON: a number too long to read") from None
    except RecursionError:
        raise RecordError("malformed JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise RecordError(f"expected a JSON object, got {type(value).__name__}")
    return value


def first_json_object(path: Path) -> dict[str, Any] | None:
    """The first non-blank line of a JSONL file as an object, or None if it is not one."""
    with open_binary(path) as handle:
        for raw in handle:
            if raw.strip():
                try:
                    value = json.loads(raw.decode("utf-8").removeprefix("\ufeff"))
                except (ValueError, RecursionError):  # bad UTF-8 or JSON, a huge integer
                    return None
                return value if isinstance(value, dict) else None
    return None


def required_id(record: dict[str, Any], name: str) -> str:
    """An identifier field: a non-empty string, or an integer (PMIDs often are)."""
    value = record.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    identifier = required_str(record, name).strip()
    if not identifier:
        raise RecordError(f"field '{name}' is empty")
    return identifier


def required_str(record: dict[str, Any], name: str) -> str:
    if name not in record or record[name] is None:
        raise RecordError(f"missing required field '{name}'")
    return _as_str(record[name], name)


def optional_str(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    return None if value is None else _as_str(value, name)


def _as_str(value: Any, name: str) -> str:
    if isinstance(value, str):
        return value
    raise RecordError(f"field '{name}' must be a string, got {type(value).__name__}")


def optional_year(record: dict[str, Any], name: str = "year") -> int | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"field '{name}' must be an integer or null, got {type(value).__name__}")
    return value


def str_list(record: dict[str, Any], name: str) -> tuple[str, ...]:
    """An optional list of strings (missing or null gives an empty tuple)."""
    value = record.get(name)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordError(f"field '{name}' must be a list of strings")
    return tuple(value)

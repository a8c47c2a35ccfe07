"""openFDA drug-label JSON (``https://api.fda.gov/drug/label.json`` and its bulk downloads).

Accepts an API response or bulk file (``{"meta": ..., "results": [label, ...]}``, read whole)
or JSONL with one label object per line. Per label: ``set_id``, ``version``,
``effective_time``, ``openfda.brand_name`` / ``openfda.generic_name`` /
``openfda.manufacturer_name``, and the section fields of
`medcite.sources.labels.SECTION_KINDS` (each a list of strings; every string is a block
under the section's title, with the field name as sub-heading when a kind has several, e.g.
"Warnings and precautions › Boxed warning"). Documents are built by
`medcite.sources.labels.label_documents`, so ids match the same label read from SPL XML.

A label without ``set_id`` or without any wanted section is one problem, ``record N (set id
X)`` or ``line N``; the other labels are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medcite.models import Document, IngestProblem
from medcite.sources.blocks import flat
from medcite.sources.common import RecordError, first_json_object, open_binary, read_jsonl
from medcite.sources.labels import SECTION_KINDS, Label, iso_date, label_documents

OPENFDA_SOURCE = "FDA label (openFDA)"
# The fields a JSON object must have to be an openFDA label.
LABEL_FIELDS = frozenset({"set_id", "openfda"})
# Bytes near the top of an API response or bulk file (its "meta" names open.fda.gov; one
# label can be longer than the bytes looked at, so any label field will do).
_RESPONSE_HINTS = (b"open.fda.gov", b'"set_id"', b'"openfda"', b'"effective_time"')


def looks_like_openfda(first: dict[str, Any] | None, head: bytes) -> bool:
    """Whether a JSON file is openFDA labels: a label per line, or an API/bulk response."""
    if first is not None and LABEL_FIELDS <= set(first):
        return True
    return b'"results"' in head and any(hint in head for hint in _RESPONSE_HINTS)


def read_openfda(path: Path) -> Iterator[Document | IngestProblem]:
    """Yield each label's section documents and an `IngestProblem` per unusable label."""
    first = first_json_object(path)
    if first is not None and LABEL_FIELDS <= set(first):
        yield from read_jsonl(path, lambda record: label_documents(parse_label(record)))
        return
    where = str(path)
    try:
        with open_binary(path) as handle:
            payload = json.load(handle)
    except ValueError as exc:  # bad UTF-8 or JSON, an integer over Python's digit limit
        yield IngestProblem(where, "file", f"malformed JSON: {exc}")
        return
    except RecursionError:
        yield IngestProblem(where, "file", "malformed JSON: nested too deeply")
        return
    results = payload.get("results") if isinstance(payload, dict) else None
    if not isinstance(results, list):
        yield IngestProblem(where, "file", 'not an openFDA label file (no "results" list)')
        return
    for number, record in enumerate(results, start=1):
        set_id = record.get("set_id") if isinstance(record, dict) else None
        place = f"record {number} (set id {set_id})" if set_id else f"record {number}"
        try:
            yield from label_documents(parse_label(record))
        except RecordError as exc:
            yield IngestProblem(where, place, str(exc))


def parse_label(record: Any) -> Label:
    """The `Label` of one openFDA label object."""
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, got {type(record).__name__}")
    names: dict[str, Any] = record["openfda"] if isinstance(record.get("openfda"), dict) else {}
    label = Label(
        set_id=_string(record.get("set_id")),
        version=_string(record.get("version")) or None,
        effective_date=iso_date(_string(record.get("effective_time"))),
        brand_names=_strings(names.get("brand_name")),
        generic_names=[n.lower() for n in _strings(names.get("generic_name"))],
        manufacturer=next(iter(_strings(names.get("manufacturer_name"))), None),
        label_format="openfda",
        collection="openfda",
        source=OPENFDA_SOURCE,
    )
    if not label.set_id:
        raise RecordError("label has no set_id")
    for kind in SECTION_KINDS:
        fields = [f for f in kind.openfda_fields if _strings(record.get(f))]
        for field_name in fields:
            path = (field_name.replace("_", " ").capitalize(),) if len(fields) > 1 else ()
            for block in _strings(record.get(field_name)):
                label.add(kind.kind, path, block)
    return label


def _string(value: Any) -> str:
    return flat(value) if isinstance(value, str) else ""


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return list(dict.fromkeys(flat(v) for v in value if isinstance(v, str) and v.strip()))

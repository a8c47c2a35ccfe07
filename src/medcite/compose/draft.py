"""Reading what a language model wrote: its JSON answer draft, parsed leniently.

Servers that enforce the JSON schema return exactly ``{"bottom_line": {...}, "sections":
[...]}``; others wrap it in prose or code fences, write statements as bare strings with
inline ``[2]`` markers, or cite ``"2"``. :func:`parse_draft` accepts all of that and raises
:class:`UnparseableOutput` for anything it cannot read as an answer (truncated JSON, prose).
Citation numbers are kept as written here; which of them are real is decided by the caller,
which knows how many passages the model was shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_INLINE_CITATION = re.compile(r"\s*\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+")
_PARTIAL_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{0,3})?$")  # cut off mid-escape
_STRING_VALUE = re.compile(r'"text"\s*:\s*"((?:[^"\\]|\\.)*)("?)')


class UnparseableOutput(ValueError):
    """The model's reply is not a readable answer; ``str()`` says why."""


@dataclass
class DraftStatement:
    text: str
    citations: list[int]


@dataclass
class DraftSection:
    kind: str
    title: str | None
    statements: list[DraftStatement] = field(default_factory=list)


@dataclass
class Draft:
    bottom_line: DraftStatement
    sections: list[DraftSection]

    def statements(self) -> list[DraftStatement]:
        return [self.bottom_line, *(s for section in self.sections for s in section.statements)]


def parse_draft(text: str) -> Draft:
    """The answer draft in ``text``; raises :class:`UnparseableOutput`."""
    data = _first_json_object(text)
    sections = [
        section
        for raw in _as_list(data.get("sections"))
        if isinstance(raw, dict) and (section := _section(raw)).statements
    ]
    bottom = _statement(data.get("bottom_line") or data.get("bottomLine"))
    if bottom is None:
        if not sections:
            raise UnparseableOutput("the reply holds no bottom line and no statements")
        bottom = sections[0].statements.pop(0)  # the first statement stands in
        sections = [s for s in sections if s.statements]
    return Draft(bottom, sections)


def _first_json_object(text: str) -> dict[str, Any]:
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        start = candidate.find("{")
        while start != -1:
            try:
                value, _ = decoder.raw_decode(candidate, start)
            except json.JSONDecodeError:
                start = candidate.find("{", start + 1)
                continue
            if isinstance(value, dict):
                return value
            start = candidate.find("{", start + 1)
    preview = " ".join(text.split())[:120]
    raise UnparseableOutput(f"no JSON object in the reply ({len(text)} chars: {preview!r})")


def _section(raw: dict[str, Any]) -> DraftSection:
    statements = [s for s in map(_statement, _as_list(raw.get("statements"))) if s is not None]
    title = raw.get("title") if isinstance(raw.get("title"), str) else None
    kind = raw.get("kind")
    return DraftSection(
        kind.strip() or "other" if isinstance(kind, str) else "other", title, statements
    )


def _statement(raw: Any) -> DraftStatement | None:
    """A statement from ``{"text", "citations"}`` or a bare string with ``[n]`` markers."""
    if isinstance(raw, str):
        raw = {"text": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        return None
    inline = [int(n) for m in _INLINE_CITATION.finditer(raw["text"]) for n in _numbers(m[1])]
    text = " ".join(_INLINE_CITATION.sub("", raw["text"]).split())
    if not text:
        return None
    cited = [n for c in _as_list(raw.get("citations")) for n in _numbers(c)]
    return DraftStatement(text, list(dict.fromkeys(cited + inline)))


def _numbers(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, float) and value.is_integer():
        return [int(value)]
    if isinstance(value, str):
        return [int(n) for n in _NUMBER.findall(value)]
    return []


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def readable_text(partial_json: str) -> str:
    """The statement texts found so far in a reply still being written, one per line.

    Grows monotonically as the reply grows, so the difference between two calls is what to
    show next while the model writes (the raw JSON is no fit reading).
    """
    lines = []
    for match in _STRING_VALUE.finditer(partial_json):
        complete = bool(match[2])
        body = match[1] if complete else _PARTIAL_ESCAPE.sub("", match[1])
        try:
            text = json.loads(f'"{body}"')
        except json.JSONDecodeError:
            text = body
        lines.append(text + ("\n" if complete else ""))
    return "".join(lines)

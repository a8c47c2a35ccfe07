"""Reading answers produced elsewhere into statements, citation numbers and references.

Formats (``detect_format`` picks one):

- ``json``: medcite's own answer JSON (``bottom_line``, ``sections``, ``references``);
- ``jsonl``: one ``{"id", "statement"}`` per line, uncited;
- ``markdown`` / ``text``: prose whose sentences end in citation numbers (``[1]``, ``[1, 2]``,
  ``[1-3]``, ``¹²`` or ``... therapy.1,2``), followed by a numbered reference list
  (``1. Title. Journal 2020. PMID: 123``) under a "References"/"Sources" heading or at the end.

    parsed = parse_answer(Path("answer.md").read_text())
    parsed.statements[0].citations   # [1, 2]
    parsed.references[1].pmid        # "123"
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from medcite.errors import MedciteError
from medcite.text.sentences import split_sentences

FORMATS = ("auto", "json", "jsonl", "markdown", "text")


class VerifyInputError(MedciteError):
    """The input to `medcite verify` cannot be read (says where and why)."""


@dataclass(slots=True)
class ParsedReference:
    n: int
    raw: str
    pmid: str | None = None
    title: str | None = None
    doc_id: str | None = None  # known from our own JSON
    passage_id: str | None = None
    text: str | None = None  # the cited passage, when the input carries it


@dataclass(slots=True)
class ParsedStatement:
    id: str
    text: str
    citations: list[int] = field(default_factory=list)


@dataclass(slots=True)
class ParsedAnswer:
    format: str
    statements: list[ParsedStatement]
    references: dict[int, ParsedReference]


def detect_format(text: str) -> str:
    """``json`` for one JSON object, ``jsonl`` for JSON lines, else ``markdown``."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            json.loads(stripped)
            return "json"
        except json.JSONDecodeError:
            return "jsonl"
    return "markdown"


def parse_answer(text: str, fmt: str = "auto") -> ParsedAnswer:
    """Statements and references of ``text`` in format ``fmt`` (see the module docstring)."""
    if fmt not in FORMATS:
        raise VerifyInputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    fmt = detect_format(text) if fmt == "auto" else fmt
    if fmt == "json":
        return _parse_json(text)
    if fmt == "jsonl":
        return _parse_jsonl(text)
    return _parse_prose(text, fmt)


def _parse_json(text: str) -> ParsedAnswer:
    try:
        answer = json.loads(text)
        statements = [answer["bottom_line"]] + [
            s for section in answer.get("sections", []) for s in section["statements"]
        ]
        parsed = [
            ParsedStatement(str(i), s["text"], [int(n) for n in s.get("citations", [])])
            for i, s in enumerate(statements, 1)
        ]
        references = {
            int(r["n"]): ParsedReference(
                int(r["n"]),
                r.get("title", ""),
                title=r.get("title"),
                doc_id=r.get("doc_id"),
                passage_id=r.get("passage_id"),
                text=r.get("text"),
            )
            for r in answer.get("references", [])
        }
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise VerifyInputError(f"not a medcite answer JSON: {exc!r}") from exc
    return ParsedAnswer("json", parsed, references)


def _parse_jsonl(text: str) -> ParsedAnswer:
    statements = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item: Any = json.loads(line)
            statement = str(item["statement"]).strip()
            sid = str(item.get("id", number))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise VerifyInputError(
                f"line {number}: expected {{'id', 'statement'}}: {exc!r}"
            ) from exc
        if not statement:
            raise VerifyInputError(f"line {number}: empty statement")
        statements.append(ParsedStatement(sid, statement))
    if not statements:
        raise VerifyInputError("no statements in the JSONL input")
    return ParsedAnswer("jsonl", statements, {})


_REFERENCES_HEADING = re.compile(
    r"^\s*(?:#+\s*|\*\*)?(?:references?|sources?|citations?|bibliography)\b[*:\s]*$",
    re.IGNORECASE | re.MULTILINE,
)
_REFERENCE_LINE = re.compile(r"^\s*(?:[-*]\s*)?\[?\^?(\d{1,3})[\].):]?\s+(\S.*)$")
_BRACKETS = re.compile(r"\s*\[(\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*)\]")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUPER_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[,˒]\s*[⁰¹²³⁴⁵⁶⁷⁸⁹]+)*")
_TRAILING = re.compile(r"(?<=[.!?)\]a-z])\s?(\d{1,3}(?:\s*,\s*\d{1,3})*)\s*$")
_PMID = re.compile(r"(?:PMID:?\s*|pubmed(?:\.ncbi\.nlm\.nih\.gov)?/)(\d{4,9})", re.IGNORECASE)
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*|^\s*(?:[-*•]|\d+[.)])\s+")
_LEAD_IN = re.compile(r"^(?:bottom line|summary|in short|answer|tl;dr)\s*:\s*", re.IGNORECASE)


def _parse_prose(text: str, fmt: str) -> ParsedAnswer:
    body, reference_lines = _split_references(text)
    references = {}
    for line in reference_lines:
        match = _REFERENCE_LINE.match(line)
        if match:
            n, raw = int(match.group(1)), match.group(2).strip()
            pmid = _PMID.search(raw)
            references[n] = ParsedReference(
                n, raw, pmid=pmid.group(1) if pmid else None, title=_title(raw)
            )
    statements = []
    for line in body.splitlines():
        line = _LEAD_IN.sub("", _MARKUP.sub("", line.strip()).replace("**", ""))
        if not line or line.endswith(":") and len(line.split()) < 8:
            continue  # headings and list lead-ins claim nothing
        for start, end in split_sentences(line):
            sentence, cites = _citations(line[start:end], set(references))
            if len(sentence.split()) >= 4:
                statements.append(ParsedStatement(str(len(statements) + 1), sentence, cites))
    if not statements:
        raise VerifyInputError("no statements found in the input (need sentences of 4+ words)")
    return ParsedAnswer(fmt, statements, references)


def _split_references(text: str) -> tuple[str, list[str]]:
    headings = list(_REFERENCES_HEADING.finditer(text))
    if headings:  # the last such heading starts the list
        heading = headings[-1]
        return text[: heading.start()], text[heading.end() :].splitlines()
    lines = text.rstrip().splitlines()
    tail: list[str] = []
    while lines and (_REFERENCE_LINE.match(lines[-1]) or not lines[-1].strip()):
        tail.insert(0, lines.pop())
    numbered = [line for line in tail if line.strip()]
    if len(numbered) >= 1 and _looks_like_references(numbered):
        return "\n".join(lines), tail
    return text, []


def _looks_like_references(lines: list[str]) -> bool:
    return all(
        _PMID.search(line) or re.search(r"\b(?:19|20)\d\d\b", line) or "doi" in line.lower()
        for line in lines
    )


def _citations(sentence: str, known: set[int]) -> tuple[str, list[int]]:
    """The sentence without its citation marks, and the numbers they cite."""
    cites: list[int] = []
    for match in _BRACKETS.finditer(sentence):
        cites += _numbers(match.group(1))
    sentence = _BRACKETS.sub("", sentence)
    for match in _SUPER_RUN.finditer(sentence):
        cites += _numbers(match.group(0).translate(_SUPERSCRIPTS).replace("˒", ","))
    sentence = _SUPER_RUN.sub("", sentence)
    trailing = _TRAILING.search(sentence)
    if trailing and known and set(_numbers(trailing.group(1))) <= known:
        cites += _numbers(trailing.group(1))
        sentence = sentence[: trailing.start()]
    return sentence.strip(), list(dict.fromkeys(cites))


def _numbers(spec: str) -> list[int]:
    found: list[int] = []
    for part in re.split(r"\s*[,;]\s*", spec.strip()):
        if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
            low, high = (int(x) for x in re.split(r"\s*[–-]\s*", part))
            found += list(range(low, high + 1)) if 0 < high - low < 50 else [low, high]
        elif part.isdigit():
            found.append(int(part))
    return found


def _title(raw: str) -> str | None:
    """The title part of a reference line: the first sentence that is not the author list."""
    cleaned = _PMID.sub("", raw)
    cleaned = re.sub(r"https?://\S+|doi:\s*\S+", "", cleaned, flags=re.IGNORECASE)
    parts = [p.strip(" .") for p in re.split(r"\.\s+", cleaned) if p.strip(" .")]
    for part in parts:
        authors = re.match(r"^[A-Z][\w'-]+ [A-Z]{1,3}(?:,|$| et al)", part)
        if not authors and len(part.split()) >= 3:
            return part
    return parts[0] if parts else None

"""Reading answers produced elsewhere into statements, citation numbers and references.

Formats (``detect_format`` picks one):

- ``json``: medcite's own answer JSON (``bottom_line``, ``sections``, ``references``);
- ``jsonl``: one ``{"id", "statement"}`` per line, uncited;
- ``markdown`` / ``text``: prose whose sentences end in citation numbers (``[1]``, ``[1, 2]``,
  ``[1-3]``, ``¹²`` or ``... therapy.1,2``), followed by a numbered reference list
  (``1. Title. Journal 2020. PMID: 123``) under a "References"/"Sources" heading or at the end.
  Without a reference list, bare trailing numbers (``... therapy 1, 2``) are still read as
  citations — of sources the text does not name (``ParsedAnswer.unlisted``).

Only statements are kept: headings, questions (a title, "Related questions"), navigation and
page chrome ("Personalize", "Which best describes you?", "Share"), review strips, disclaimers
and whatever sits under a "Warnings", "Conflicts" or "Related questions" heading are not
claims. The verifier's own flags after the citations of medcite's Markdown ("(not found in its
sources)") are dropped, so medcite's answers read back as they were written.

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
    # Every cited passage of the source as (passage_id, text), when the input lists them
    # (medcite's own JSON: one reference per document, its passages under it).
    passages: list[tuple[str, str]] = field(default_factory=list)


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
    skipped: int = 0  # lines that were headings, questions, chrome or boilerplate

    @property
    def unlisted(self) -> list[int]:
        """Citation numbers the text uses without a reference-list entry."""
        cited = {n for s in self.statements for n in s.citations}
        return sorted(cited - set(self.references))


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
                passages=[(str(p["passage_id"]), str(p["text"])) for p in r.get("passages", [])],
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
# Without a reference list: "... therapy.1,2", "... therapy 1, 2" (small numbers only, and not
# "type 2" or "phase 3").
_TRAILING_BARE = re.compile(
    r"(?:(?<=[.!?)\]])\s?|(?<=[A-Za-z%])\s)(\d{1,2}(?:\s*,\s*\d{1,2})*)\s*$"
)
_NUMBERED_WORDS = frozenset(
    "type types phase phases grade stage stages class step level levels part chapter version "
    "day days week weeks month months year years age aged hour hours covid number figure table "
    "trial group arm dose doses cycle cycles".split()
)
_MAX_BARE_CITATION = 30
_VERIFIER_FLAG = re.compile(
    r"\s*\((?:partly supported|not found|not supported|contradicted|its sources)[^()]*\)\s*$",
    re.IGNORECASE,
)
_NOT_CONTENT_HEADING = re.compile(
    r"^(?:warnings?|conflicts?|related(?: questions)?|references?|sources?|disclaimers?|"
    r"about(?: this answer)?|share|follow[- ]?ups?|ask a follow[- ]?up(?: question)?|"
    r"which best describes you\??|personali[sz]e|people also ask)\s*:?$",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"educational purpose|pending (?:human )?review|medical advice|informational purposes|"
    r"not a substitute|last updated|editorial policy|review status|submitted\s*(?:→|->)|"
    r"under review\s*(?:→|->)|personali[sz]e|which best describes you|\bsign (?:in|up)\b|"
    r"\blog ?in\b|share this|copy link|download the app|follow[- ]?up question|"
    r"related questions|evidence currency:|support labels are heuristic|answered in \d|"
    r"^(?:patients?|clinicians?|caregivers?|students?|healthcare professionals?|"
    r"medical professionals?|researchers?)$|"
    r"^(?:home|menu|search|share|copy|print|save|next|previous|back)$|(?:›|»|\s>\s).*(?:›|»|\s>\s)",
    re.IGNORECASE,
)
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
    statements: list[ParsedStatement] = []
    skipped = 0
    under_chrome = False  # inside a "Warnings" / "Related questions" ... section
    for raw_line in body.splitlines():
        line = _LEAD_IN.sub("", _MARKUP.sub("", raw_line.strip()).replace("**", ""))
        line = _VERIFIER_FLAG.sub("", line)
        if not line:
            continue
        if _is_heading(raw_line, line):
            under_chrome = bool(_NOT_CONTENT_HEADING.match(line.rstrip(":").strip()))
            skipped += 1
            continue
        if under_chrome or _is_chrome(raw_line, line):
            skipped += 1
            continue
        first_of_line = len(statements)
        for start, end in split_sentences(line):
            sentence, cites = _citations(line[start:end], set(references))
            if cites and not sentence.strip(" .,;") and len(statements) > first_of_line:
                previous = statements[-1].citations
                previous += [n for n in cites if n not in previous]
                continue  # "... dosages. [1, 2]": the numbers cite the sentence before them
            if sentence.endswith("?") or len(sentence.split()) < 4:
                skipped += 1
                continue  # a question asks, it does not claim
            statements.append(ParsedStatement(str(len(statements) + 1), sentence, cites))
        _cite_at_line_end(statements[first_of_line:])
    if not statements:
        raise VerifyInputError("no statements found in the input (need sentences of 4+ words)")
    return ParsedAnswer(fmt, statements, references, skipped)


def _cite_at_line_end(line: list[ParsedStatement]) -> None:
    """A bullet of several sentences cites once, at its end: an uncited sentence takes the
    citations of the next cited sentence of its line."""
    for i, statement in enumerate(line):
        if not statement.citations:
            later = next((s.citations for s in line[i + 1 :] if s.citations), [])
            statement.citations.extend(later)


def _is_heading(raw_line: str, line: str) -> bool:
    """A Markdown heading, a list lead-in ("Options:"), or a short line without a full stop
    that names a topic rather than saying something about it."""
    stripped = raw_line.strip()
    if stripped.startswith("#") or (line.endswith(":") and len(line.split()) < 8):
        return True
    if stripped.startswith(("- ", "* ", "• ")) or re.match(r"^\d+[.)]\s", stripped):
        return False  # a bullet is content even without a full stop
    has_citation = bool(_BRACKETS.search(line) or _SUPER_RUN.search(line))
    return not has_citation and not re.search(r"[.!?)]\s*$", line) and len(line.split()) <= 6


def _is_chrome(raw_line: str, line: str) -> bool:
    """Navigation, audience pickers, review strips, disclaimers and our own metadata lines."""
    stripped = raw_line.strip()
    if re.fullmatch(r"_[^_].*_", stripped) or re.fullmatch(r"\*[^*].*\*", stripped):
        return True  # a whole line in italics: medcite's currency, verifier and review notes
    return bool(_BOILERPLATE.search(line))


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
    elif not known and (bare := _bare_citations(sentence)) is not None:
        numbers, start = bare
        cites += numbers
        sentence = sentence[:start]
    return sentence.strip(), list(dict.fromkeys(cites))


def _bare_citations(sentence: str) -> tuple[list[int], int] | None:
    """Trailing citation numbers of a text without a reference list, and where they start:
    "... for PPMS 1, 2" → ([1, 2], ...); "given at age 65" and "type 2" are not citations."""
    match = _TRAILING_BARE.search(sentence)
    if not match:
        return None
    numbers = _numbers(match.group(1))
    if not numbers or max(numbers) > _MAX_BARE_CITATION:
        return None
    before = sentence[: match.start()].rstrip()
    previous = re.findall(r"[A-Za-z]+", before[-20:])
    after_punctuation = before.endswith((".", "!", "?", ")", "]"))
    if not after_punctuation and previous and previous[-1].lower() in _NUMBERED_WORDS:
        return None
    return numbers, match.start()


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
    if " — " in cleaned:  # medcite's own "Title — Source, year [level] url (origin)"
        return cleaned.split(" — ")[0].strip() or None
    parts = [p.strip(" .") for p in re.split(r"\.\s+", cleaned) if p.strip(" .")]
    for part in parts:
        authors = re.match(r"^[A-Z][\w'-]+ [A-Z]{1,3}(?:,|$| et al)", part)
        if not authors and len(part.split()) >= 3:
            return part
    return parts[0] if parts else None

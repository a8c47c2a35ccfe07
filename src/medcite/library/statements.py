"""Statements of a stored answer: stable paths, the search text, and version diffs.

A statement's path is ``bottom_line`` or ``s<section>.<statement>`` (0-based), the key a
comment on one statement refers to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from medcite.models import cited_passages

BOTTOM_LINE = "Bottom line"


@dataclass(frozen=True, slots=True)
class StatementRef:
    path: str
    section: str
    text: str
    citations: tuple[int, ...] = field(default=())
    # (reference number, passage id) of every passage cited: a reference is a document, and
    # the statement's evidence says which of its passages it quotes.
    cited: tuple[tuple[int, str], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "section": self.section,
            "text": self.text,
            "citations": list(self.citations),
        }


def flatten(answer: dict[str, Any]) -> list[StatementRef]:
    """Every statement of an answer in reading order."""
    references = {r["n"]: r for r in answer.get("references", []) if "n" in r}

    def ref(path: str, section: str, statement: dict[str, Any]) -> StatementRef:
        citations = tuple(statement.get("citations", ()))
        cited = tuple(
            (n, p["passage_id"])
            for n in citations
            if n in references
            for p in cited_passages(statement, references[n])
        )
        return StatementRef(path, section, statement.get("text", ""), citations, cited)

    found = [ref("bottom_line", BOTTOM_LINE, answer.get("bottom_line") or {})]
    for i, section in enumerate(answer.get("sections", [])):
        for j, statement in enumerate(section.get("statements", [])):
            found.append(ref(f"s{i}.{j}", section.get("title", ""), statement))
    return found


def search_text(answer: dict[str, Any]) -> str:
    """Lowercased question, section titles and statements: what library search matches."""
    parts = [answer.get("question", "")]
    parts += [s.get("title", "") for s in answer.get("sections", [])]
    parts += [s.text for s in flatten(answer)]
    return " ".join(" ".join(parts).lower().split())


@dataclass(frozen=True, slots=True)
class Change:
    """One statement-level difference: added, removed or changed (``before`` → ``after``)."""

    kind: str
    section: str
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "section": self.section,
            "before": self.before,
            "after": self.after,
        }


def diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Statement-level differences from ``old`` to ``new``, section by section."""

    def by_section(answer: dict[str, Any]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for ref in flatten(answer):
            grouped.setdefault(ref.section, []).append(ref.text)
        return grouped

    before, after = by_section(old), by_section(new)
    sections = list(after) + [s for s in before if s not in after]
    changes: list[Change] = []
    for section in sections:
        a, b = before.get(section, []), after.get(section, [])
        for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if tag == "equal":
                continue
            olds, news = a[i1:i2], b[j1:j2]
            paired = min(len(olds), len(news)) if tag == "replace" else 0
            changes += [Change("changed", section, o, n) for o, n in zip(olds, news, strict=False)][
                :paired
            ]
            changes += [Change("removed", section, o, None) for o in olds[paired:]]
            changes += [Change("added", section, None, n) for n in news[paired:]]
    return changes

"""Assemble a document's text from labelled blocks (paragraphs under a heading path).

Guidelines and drug labels arrive as a tree of headings with paragraphs, lists and tables
under them. `TextBuilder` lays the blocks out as one text (blocks separated by a blank line,
so the chunker ends passages there), records a `Section` per run of blocks that share a
label (the heading path, "Recommendations › Disease-modifying therapy"), and remembers where
each block starts, so readers can map offsets back to pages or grades.
"""

from __future__ import annotations

from medcite.models import Section
from medcite.provenance import HEADING_SEPARATOR

BLOCK_SEPARATOR = "\n\n"


def heading_label(path: list[str] | tuple[str, ...]) -> str | None:
    """The section label of a heading path, or None for text before any heading."""
    return HEADING_SEPARATOR.join(path) if path else None


def flat(text: str) -> str:
    """Whitespace normalised: layout (line breaks, indentation) becomes single spaces."""
    return " ".join(text.split())


class TextBuilder:
    """Collects blocks in reading order; ``text`` and ``sections`` describe the result."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._sections: list[Section] = []

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def sections(self) -> tuple[Section, ...]:
        return tuple(self._sections)

    @property
    def empty(self) -> bool:
        return self._length == 0

    def add(self, block: str, label: str | None) -> tuple[int, int]:
        """Append ``block`` (skipped when blank) under ``label``; returns its (start, end)."""
        block = block.strip()
        if not block:
            return self._length, self._length
        if self._parts:
            self._parts.append(BLOCK_SEPARATOR)
            self._length += len(BLOCK_SEPARATOR)
        start = self._length
        self._parts.append(block)
        self._length += len(block)
        last = self._sections[-1] if self._sections else None
        if last is not None and last.label == label:
            self._sections[-1] = Section(label, last.start, self._length)
        else:
            self._sections.append(Section(label, start, self._length))
        return start, self._length

"""Prompts for the LLM composer, kept as versioned files next to this module.

    prompts/<version>/system.md              rules and the JSON shape ({kinds} is filled in)
    prompts/<version>/intent/<intent>.md     what a good answer to this kind of question holds
    prompts/<version>/audience/<audience>.md who reads it

A new wording is a new version folder, never an edit of a released one: answers record the
prompt id, version and content hash in ``engine["prompt"]``, so an answer can always be traced
to the exact words that produced it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medcite.errors import MedciteError
from medcite.models import Hit
from medcite.question.intent import TEMPLATES

PROMPT_DIR = Path(__file__).parent
PROMPT_ID = "medcite-answer"
MAX_STATEMENT_CHARS = 400
MAX_SECTIONS = 6
MAX_STATEMENTS_PER_SECTION = 5
MAX_CITATIONS = 3


class PromptNotFound(MedciteError):
    pass


@dataclass(frozen=True)
class Prompt:
    """The chat messages for one question and the JSON schema the reply must follow."""

    version: str
    intent: str
    audience: str
    messages: list[dict[str, str]]
    schema: dict[str, Any]
    sha256: str  # of the prompt files used, not of the question

    def describe(self) -> dict[str, str]:
        """What ``answer.engine["prompt"]`` records."""
        return {
            "id": f"{PROMPT_ID}/{self.version}/{self.intent}/{self.audience}",
            "version": self.version,
            "sha256": self.sha256[:12],
        }


def versions() -> list[str]:
    return sorted(p.name for p in PROMPT_DIR.iterdir() if (p / "system.md").is_file())


def build_prompt(
    question: str,
    passages: list[Hit],
    *,
    intent: str,
    audience: str,
    version: str,
    passage_chars: int,
) -> Prompt:
    """Messages asking for an answer to ``question`` citing ``passages`` as [1]..[k]."""
    folder = PROMPT_DIR / version
    if not (folder / "system.md").is_file():
        raise PromptNotFound(
            f"no prompt version {version!r} in {PROMPT_DIR}; available: {', '.join(versions())} "
            "(set MEDCITE_LLM__PROMPT_VERSION)"
        )
    parts = [
        _read(folder / "system.md"),
        _read(folder / "intent" / f"{intent}.md"),
        _read(folder / "audience" / f"{audience}.md"),
    ]
    kinds = section_kinds(intent)
    system = "\n".join([parts[0].replace("{kinds}", ", ".join(kinds)), parts[1], parts[2]])
    user = f"Question: {question}\n\nPassages:\n\n" + "\n\n".join(
        _passage_block(n, hit, passage_chars) for n, hit in enumerate(passages, start=1)
    )
    return Prompt(
        version=version,
        intent=intent,
        audience=audience,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
        schema=answer_schema(len(passages), kinds),
        sha256=hashlib.sha256("\x1f".join(parts).encode()).hexdigest(),
    )


def section_kinds(intent: str) -> list[str]:
    return [spec.kind for spec in TEMPLATES[intent]]


def answer_schema(passage_count: int, kinds: list[str]) -> dict[str, Any]:
    """The reply's JSON schema. Citation numbers are an enum of the passages given, so a
    server that enforces the schema cannot even write an invented number."""
    statement = {
        "type": "object",
        "properties": {
            "text": {"type": "string", "maxLength": MAX_STATEMENT_CHARS},
            "citations": {
                "type": "array",
                "items": {"type": "integer", "enum": list(range(1, passage_count + 1))},
                "minItems": 1,
                "maxItems": MAX_CITATIONS,
            },
        },
        "required": ["text", "citations"],
    }
    section = {
        "type": "object",
        "properties": {
            "kind": {"type": "string", "enum": kinds},
            "statements": {
                "type": "array",
                "items": statement,
                "minItems": 1,
                "maxItems": MAX_STATEMENTS_PER_SECTION,
            },
        },
        "required": ["kind", "statements"],
    }
    return {
        "type": "object",
        "properties": {
            "bottom_line": statement,
            "sections": {"type": "array", "items": section, "maxItems": MAX_SECTIONS},
        },
        "required": ["bottom_line", "sections"],
    }


def _passage_block(n: int, hit: Hit, limit: int) -> str:
    doc = hit.document
    year = f", {doc.year}" if doc.year else ""
    text = hit.passage.text if len(hit.passage.text) <= limit else hit.passage.text[:limit] + "…"
    return f"[{n}] {doc.title} ({doc.source}{year})\n{text}"


def _read(path: Path) -> str:
    if not path.is_file():
        raise PromptNotFound(f"prompt file missing: {path}")
    return path.read_text(encoding="utf-8").strip()

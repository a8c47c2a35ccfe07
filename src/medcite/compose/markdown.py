"""Render an answer as Markdown (CLI `--format markdown`, copy/export on the web)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from medcite.models import Answer, Reference, Statement
from medcite.provenance import provenance, provenance_line

# The verifier's outcomes kept apart: partly said, said otherwise, not said at all.
LABEL_FLAGS = {
    "partial": "partly supported by its sources",
    "unsupported": "not found in its sources",
    "contradicted": "contradicted by a source",
}
OFF_TOPIC_FLAG = "its sources are about another topic"


def cite(statement: Statement) -> str:
    """The citation numbers, and the verifier's flags when the sources do not fully support
    it or are not about the question's topic."""
    numbers = f" [{', '.join(map(str, statement.citations))}]" if statement.citations else ""
    flags = [LABEL_FLAGS.get(statement.label or ""), statement.on_topic is False and OFF_TOPIC_FLAG]
    shown = "; ".join(f for f in flags if f)
    return numbers + (f" ({shown})" if shown else "")


def verifier_note(answer: Answer) -> str:
    """What checked the statements (heuristic), or empty when nothing did."""
    return str(answer.engine.get("verifier", {}).get("note", ""))


def currency_line(answer: Answer) -> str:
    return currency_text(answer.evidence_currency)


def currency_text(c: Mapping[str, Any]) -> str:
    """The evidence-currency line of an answer's (or answer JSON's) ``evidence_currency``."""
    if not c.get("dated") and not c.get("undated"):
        return "Evidence currency: no sources cited."
    parts = []
    if c.get("dated"):
        parts.append(f"newest dated source {c['newest_year']}, oldest {c['oldest_year']}")
    if c.get("undated"):
        bound = f" (none newer than {c['undated_not_after']})" if c.get("undated_not_after") else ""
        parts.append(f"{c['undated']} undated source(s){bound}")
    return "Evidence currency: " + "; ".join(parts) + "."


def reference_line(ref: Reference) -> str:
    doc = ref.document
    year = f", {doc.year}" if doc.year else ""
    link = f" {doc.url}" if doc.url else ""
    retracted = " **RETRACTED**" if doc.metadata.get("retracted") else ""
    origin = provenance_line(provenance(doc, ref.passage), doc.ingested_at)
    return (
        f"{ref.n}. {doc.title} — {doc.source}{year} [{doc.evidence_level.value}]{retracted}{link}"
        + (f" ({origin})" if origin else "")
    )


def to_markdown(answer: Answer) -> str:
    lines = [
        f"# {answer.question}",
        "",
        f"**{answer.bottom_line.text}**{cite(answer.bottom_line)}",
        "",
    ]
    for section in answer.sections:
        lines += [f"## {section.title}", ""]
        lines += [f"- {s.text}{cite(s)}" for s in section.statements]
        lines.append("")
    if answer.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in answer.warnings] + [""]
    lines += [f"_{currency_line(answer)}_", ""]
    if answer.references:
        lines += ["## References", ""] + [reference_line(r) for r in answer.references] + [""]
    if verifier_note(answer):
        lines += [f"_{verifier_note(answer)}_", ""]
    review = answer.review or {}
    lines += [f"_Review status: {review.get('status', 'draft')} — {review.get('label', '')}_", ""]
    if answer.disclaimer:
        lines += [f"> {answer.disclaimer}", ""]
    return "\n".join(lines)

"""Render an answer as Markdown (CLI `--format markdown`, copy/export on the web)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from medcite.compose.references import BASIS_LABELS
from medcite.models import Answer, Reference, Statement, document_date
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
    """One source: title, publisher, date (or "undated"), evidence level, link, provenance."""
    doc = ref.document
    link = f" {doc.url}" if doc.url else ""
    retracted = " **RETRACTED**" if doc.metadata.get("retracted") else ""
    origin = provenance_line(provenance(doc, ref.passage), doc.ingested_at)
    date = document_date(doc) or "undated"
    return (
        f"{ref.n}. {doc.title} — {doc.source}, {date} [{doc.evidence_level.value}]{retracted}"
        f"{link}" + (f" ({origin})" if origin else "")
    )


def passage_lines(ref: Reference) -> list[str]:
    """The reference's cited passages, exactly as stored, quoted under it (heading first)."""
    lines: list[str] = []
    for passage in ref.passages:
        lines += [f"    > *{passage.section}*", "    >"] if passage.section else []
        lines += [f"    > {line}" if line else "    >" for line in passage.text.splitlines()]
        lines.append("")
    return lines


def review_line(answer: Answer) -> str:
    """Review status and its label."""
    review = answer.review or {}
    return f"Review status: {review.get('status', 'draft')} — {review.get('label', '')}"


def updated_line(answer: Answer) -> str:
    """When the answer was last updated and what that date is ("newest ingest of its
    sources", "approved"), or empty when it has no review block."""
    review = answer.review or {}
    if not review.get("last_updated"):
        return ""
    basis = BASIS_LABELS.get(str(review.get("last_updated_basis")))
    return f"Last updated {str(review['last_updated'])[:10]}" + (f" ({basis})" if basis else "")


def to_markdown(answer: Answer) -> str:
    lines = [f"# {answer.question}", ""]
    # The limits of the evidence (age, subgroups not addressed) come before the content.
    if answer.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in answer.warnings] + [""]
    lines += [f"_{currency_line(answer)}_", ""]
    lines += [f"**{answer.bottom_line.text}**{cite(answer.bottom_line)}", ""]
    for section in answer.sections:
        lines += [f"## {section.title}", ""]
        lines += [f"- {s.text}{cite(s)}" for s in section.statements]
        lines.append("")
    if answer.references:
        lines += ["## References", ""]
        for ref in answer.references:
            lines += [reference_line(ref), "", *passage_lines(ref)]
    if verifier_note(answer):
        lines += [f"_{verifier_note(answer)}_", ""]
    lines += [f"_{review_line(answer)}_", ""]
    lines += [f"_{updated_line(answer)}_", ""] if updated_line(answer) else []
    if answer.disclaimer:
        lines += [f"> {answer.disclaimer}", ""]
    return "\n".join(lines)

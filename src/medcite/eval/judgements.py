"""Statement-by-statement judgements of answers, made by reading each statement beside its
cited passage, and the shares they add up to.

One JSONL row per judged statement::

    {"question_id", "split", "answerable", "statement", "section", "doc_ids", "passage_ids",
     "label": "answers" | "on_topic_not_question" | "irrelevant",
     "misleading": true | false, "reason": "one line"}

``answers``: the statement answers (part of) what was asked; ``on_topic_not_question``: about
the question's topic but not what was asked; ``irrelevant``: another disease, an animal or
lab detail, or abstract scaffolding. ``misleading``: read in this answer, it would lead a
clinician to a wrong belief (a paediatric maximum shown as the dose, an approved drug shown as
investigational, another disease's treatment under this one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medcite.eval.jsonl import read_jsonl

LABELS = ("answers", "on_topic_not_question", "irrelevant")
COUNTS = ("questions", "statements")  # the shares' denominators, not shares
REQUIRED = ("question_id", "split", "statement", "passage_ids", "label", "misleading", "reason")


def load_judgements(path: Path) -> list[dict[str, Any]]:
    """The rows of a judgements file; a bad row raises ValueError naming its line."""
    return read_jsonl(path, _checked)


def judged_shares(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Shares of judged statements per label, misleading share, and the counts behind them."""
    labels = Counter(row["label"] for row in rows)
    total = len(rows)
    questions = {row["question_id"] for row in rows}
    off_topic = {row["question_id"] for row in rows if row["label"] == "irrelevant"}
    shares: dict[str, float] = {
        "questions": float(len(questions)),
        "statements": float(total),
    }
    shares |= {label: labels[label] / total if total else 0.0 for label in LABELS}
    shares["misleading"] = sum(bool(row["misleading"]) for row in rows) / total if total else 0.0
    shares["answers_with_irrelevant"] = len(off_topic) / len(questions) if questions else 0.0
    return shares


def _checked(row: Any) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise ValueError("a judgement is a JSON object")
    absent = [key for key in REQUIRED if key not in row]
    if absent:
        raise ValueError(f"missing {', '.join(absent)}")
    if row["label"] not in LABELS:
        raise ValueError(f"label must be one of {', '.join(LABELS)}, not {row['label']!r}")
    if not isinstance(row["misleading"], bool):
        raise ValueError("misleading must be true or false")
    if not str(row["reason"]).strip():
        raise ValueError("every judgement gives its reason")
    return row

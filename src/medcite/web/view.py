"""What the answer page shows, computed from the answer JSON: links, highlights, badges.

Pure functions of ``answer.to_dict()`` so that the templates stay declarative and every rule
here (which URL may be linked, which span is highlighted, when "approved" may be shown) is
testable without a browser. Fields other stages add later (statement ``label``/``reasons``,
``conflicts[].kind``, ``answering``) are read with ``.get`` and render nothing when absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from medcite.compose.references import BASIS_LABELS
from medcite.models import cited_passages
from medcite.service import UNREVIEWED

EVIDENCE_LABELS = {
    "guideline": "Guideline",
    "systematic_review": "Systematic review",
    "rct": "Randomised trial",
    "cohort": "Cohort study",
    "case": "Case report",
    "review": "Review",
    "label": "Drug label",
    "consumer": "Patient information",
    "other": "Other",
}

AUDIENCE_LABELS = {
    "clinician": "Clinician",
    "pharmacist": "Pharmacist",
    "nurse": "Nurse",
    "student": "Student",
    "patient": "Patient or carer",
}

# Statement labels from the verifier; "supported" gets no badge.
SUPPORT_BADGES = {
    "partial": "partially supported",
    "unsupported": "not found in its sources",
    "contradicted": "contradicted by a source",
}
OFF_TOPIC_BADGE = "sources about another topic"

REVIEW_STEPS = ("submitted", "under_review", "approved")
STEP_TITLES = {"submitted": "Submitted", "under_review": "Under review", "approved": "Approved"}
# How far along the strip each review status is (index into REVIEW_STEPS; -1 = not submitted).
STEP_REACHED = {
    "draft": -1,
    "submitted": 0,
    "under_review": 1,
    "changes_requested": 1,
    "approved": 2,
    "retracted": -1,
}


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of passage text; ``marked`` runs are the span supporting the statement."""

    text: str
    marked: bool = False


@dataclass(frozen=True, slots=True)
class Step:
    title: str
    state: str  # done | current | todo


def reference_link(ref: Mapping[str, Any]) -> tuple[str, str] | None:
    """(label, url) to read a reference at its source, or None. Never invents a URL.

    A ``pmid:N`` document links to PubMed; otherwise the document's own URL is used, and only
    when it is a plain http(s) URL (a ``javascript:`` URL from a corpus must never be clickable).
    """
    doc_id = str(ref.get("doc_id") or "")
    prefix, _, number = doc_id.partition(":")
    if prefix == "pmid" and number.isdigit():
        return "PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{number}/"
    url = ref.get("url")
    if isinstance(url, str) and urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc:
        return "Source", url
    return None


def reference_date(ref: Mapping[str, Any]) -> str | None:
    """The date shown beside a reference: its publication or revision date, else its year
    (answers stored before references had dates), else None (undated, never guessed)."""
    date = ref.get("date") or ref.get("year")
    return str(date) if date else None


def preview_text(ref: Mapping[str, Any], statement: Mapping[str, Any]) -> str:
    """The passage a citation preview shows: the first passage of ``ref`` (a document) that
    ``statement`` cites, as named by its evidence."""
    return str(cited_passages(statement, ref)[0].get("text") or "")


def highlight(passage: str, statement: Mapping[str, Any], n: int) -> list[Segment]:
    """The cited passage split around the span that supports ``statement`` for citation ``n``.

    The verifier's quote for this citation wins; then the statement itself when it occurs
    verbatim; otherwise nothing is marked (the preview shows the passage plain).
    """
    for quote in _quotes(statement, n):
        start = passage.find(quote)
        if quote and start >= 0:
            end = start + len(quote)
            parts = [
                Segment(passage[:start]),
                Segment(passage[start:end], True),
                Segment(passage[end:]),
            ]
            return [p for p in parts if p.text]
    return [Segment(passage)] if passage else []


def _quotes(statement: Mapping[str, Any], n: int) -> Iterable[str]:
    for item in statement.get("evidence") or ():
        if item.get("n") == n and isinstance(item.get("quote"), str):
            yield item["quote"].strip()
    yield str(statement.get("text") or "").strip()


def support_badge(statement: Mapping[str, Any]) -> str | None:
    """Badge text for a statement the verifier did not find fully supported: partly said,
    said otherwise by a source, or not found in them."""
    return SUPPORT_BADGES.get(str(statement.get("label") or "supported"))


def topic_badge(statement: Mapping[str, Any]) -> str | None:
    """Badge text for a statement whose cited documents are not about the question's topic."""
    return OFF_TOPIC_BADGE if statement.get("on_topic") is False else None


def review_view(review: Mapping[str, Any] | None) -> dict[str, Any]:
    """The review strip: steps, whether approved, and the line shown beside it.

    Only ``status == "approved"`` is ever shown as approved; anything else (missing, unknown,
    retracted) shows the pending label.
    """
    review = review or {}
    status = str(review.get("status") or "draft")
    approved = status == "approved"
    reached = STEP_REACHED.get(status, -1)
    steps = [
        Step(
            STEP_TITLES[step],
            "current" if i == reached else "done" if i < reached else "todo",
        )
        for i, step in enumerate(REVIEW_STEPS)
    ]
    reviewer = review.get("reviewed_by")
    label = str(review.get("label") or "")
    if approved and label.startswith("Approved by"):
        line = label  # the library's "Approved by the Medical Advisory Board on <date>"
    elif approved:
        line = f"Approved by {reviewer}" if reviewer else "Approved by the editorial board"
    elif status == "under_review" and label.startswith("Under"):
        line = label  # back under review: the library says why
    else:
        line = UNREVIEWED
    return {
        "status": status,
        "status_title": status.replace("_", " ").capitalize(),
        "approved": approved,
        "retracted": status == "retracted",
        "steps": steps,
        "line": line,
        "last_updated": str(review.get("last_updated") or "")[:10],
        "last_updated_basis": BASIS_LABELS.get(str(review.get("last_updated_basis"))),
    }


def ask_url(question: str, audience: str, history: Iterable[str] = (), path: str = "/ask") -> str:
    """A link to the answer page (or its ``.md`` / ``.json`` twin) for this conversation."""
    params: list[tuple[str, str]] = [("q", question), ("audience", audience)]
    params += [("history", h) for h in history]
    return f"{path}?{urlencode(params)}"


def thread_links(history: list[str], audience: str) -> list[tuple[str, str]]:
    """(question, url) for each earlier question, each re-asked with its own history."""
    return [(q, ask_url(q, audience, history[:i])) for i, q in enumerate(history)]

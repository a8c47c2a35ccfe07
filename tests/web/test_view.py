"""The answer page's rules, as pure functions of the answer JSON."""

from __future__ import annotations

import time

import pytest

from medcite.service import UNREVIEWED
from medcite.web.security import TokenBucket
from medcite.web.view import (
    ask_url,
    highlight,
    preview_text,
    reference_date,
    reference_link,
    review_view,
    support_badge,
)


def test_pubmed_ids_link_to_pubmed_and_other_urls_only_when_http() -> None:
    assert reference_link({"doc_id": "pmid:123", "url": "https://x.org"}) == (
        "PubMed",
        "https://pubmed.ncbi.nlm.nih.gov/123/",
    )
    assert reference_link({"doc_id": "medquad:1", "url": "https://nih.gov/a"}) == (
        "Source",
        "https://nih.gov/a",
    )
    for url in ("javascript:alert(1)", "data:text/html,x", "//evil.org", "", None):
        assert reference_link({"doc_id": "jsonl:1", "url": url}) is None
    assert reference_link({"doc_id": "pmid:abc", "url": None}) is None


PASSAGE = "Gout is common. Colchicine treats flares. Allopurinol lowers urate."


def test_highlight_prefers_the_verifier_quote_for_that_citation() -> None:
    statement = {
        "text": "Gout is common.",
        "evidence": [
            {"n": 2, "quote": "Allopurinol lowers urate."},
            {"n": 1, "quote": "Colchicine treats flares."},
        ],
    }
    parts = highlight(PASSAGE, statement, 1)
    assert "".join(p.text for p in parts) == PASSAGE
    assert [p.text for p in parts if p.marked] == ["Colchicine treats flares."]


def test_highlight_falls_back_to_the_statement_then_to_nothing() -> None:
    marked = [p.text for p in highlight(PASSAGE, {"text": "Gout is common."}, 1) if p.marked]
    assert marked == ["Gout is common."]
    plain = highlight(PASSAGE, {"text": "Not in the passage."}, 1)
    assert [(p.text, p.marked) for p in plain] == [(PASSAGE, False)]


SOURCE = {  # one reference per document, two of its passages cited
    "n": 1,
    "passage_id": "p1",
    "text": "Gout is common.",
    "date": None,
    "year": None,
    "passages": [
        {"passage_id": "p1", "text": "Gout is common."},
        {"passage_id": "p2", "text": PASSAGE},
    ],
}


def test_a_preview_shows_the_passage_the_statement_quotes() -> None:
    quoting = {"text": "Colchicine treats flares.", "evidence": [{"n": 1, "passage_id": "p2"}]}
    assert preview_text(SOURCE, quoting) == PASSAGE
    assert preview_text(SOURCE, {"text": "Gout is common."}) == "Gout is common."  # no evidence
    stored_before = {"n": 1, "passage_id": "p0", "text": "Old answers cite one passage."}
    assert preview_text(stored_before, quoting) == "Old answers cite one passage."


def test_references_show_their_date_never_a_guess() -> None:
    assert reference_date({**SOURCE, "date": "2014-01-13", "year": 2014}) == "2014-01-13"
    assert reference_date({"year": 2009}) == "2009"  # stored before references had dates
    assert reference_date(SOURCE) is None


@pytest.mark.parametrize(
    ("label", "badge"),
    [
        (None, None),
        ("supported", None),
        ("partial", "partially supported"),
        ("unsupported", "not found in its sources"),
        ("contradicted", "contradicted by a source"),
    ],
)
def test_support_badges(label: str | None, badge: str | None) -> None:
    assert support_badge({"text": "x", "label": label} if label else {"text": "x"}) == badge


@pytest.mark.parametrize(
    ("status", "current"),
    [
        ("draft", None),
        ("submitted", "Submitted"),
        ("under_review", "Under review"),
        ("changes_requested", "Under review"),
        ("retracted", None),
        ("approved-ish", None),
    ],
)
def test_nothing_but_approved_is_shown_as_approved(status: str, current: str | None) -> None:
    shown = review_view({"status": status, "reviewed_by": "Dr Who", "last_updated": "2025-01-02"})
    assert shown["approved"] is False
    assert shown["line"] == UNREVIEWED
    assert [s.title for s in shown["steps"] if s.state == "current"] == (
        [current] if current else []
    )


def test_approved_names_its_reviewer() -> None:
    shown = review_view(
        {"status": "approved", "reviewed_by": "Dr Ada", "last_updated": "2025-01-02T10:00"}
    )
    assert shown["approved"] is True and shown["line"] == "Approved by Dr Ada"
    assert [s.state for s in shown["steps"]] == ["done", "done", "current"]
    assert shown["last_updated"] == "2025-01-02"
    assert review_view(None)["approved"] is False


def test_ask_url_keeps_the_conversation() -> None:
    url = ask_url("and in children?", "nurse", ["How is gout treated?"], "/ask.md")
    assert url == "/ask.md?q=and+in+children%3F&audience=nurse&history=How+is+gout+treated%3F"


def test_token_bucket_allows_a_burst_then_refills() -> None:
    bucket = TokenBucket(per_minute=600, burst=2)  # one token every 0.1 s
    assert [bucket.take("a"), bucket.take("a")] == [0.0, 0.0]
    wait = bucket.take("a")
    assert 0 < wait <= 0.1
    assert bucket.take("b") == 0.0  # buckets are per client
    time.sleep(wait + 0.02)
    assert bucket.take("a") == 0.0

"""Serving approved answers, the public list with search and filters, diffs, the review view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from medcite.library import Actor, Forbidden, InvalidRequest, Library
from medcite.library.schema import Article, utcnow
from medcite.service import DISCLAIMER


def _approve(library: Library, people: dict[str, Actor], article_id: int, version: int = 1) -> None:
    library.transition(people["editor"], article_id, "submitted", version=version)
    library.transition(people["reviewer"], article_id, "under_review", version=version)
    library.transition(people["reviewer"], article_id, "approved", version=version)


def test_approved_answer_is_the_stored_version_with_its_review(
    library: Library, people: dict[str, Actor], real_answer: dict[str, Any]
) -> None:
    question, audience = real_answer["question"], real_answer["audience"]
    draft = library.create_draft(people["editor"], answer=real_answer)
    assert library.approved_answer(question, audience) is None  # draft: not served
    library.transition(people["editor"], draft.id, "submitted", version=1)
    assert library.approved_answer(question, audience) is None  # submitted: not served
    library.transition(people["reviewer"], draft.id, "under_review", version=1)
    library.transition(people["reviewer"], draft.id, "approved", version=1)
    served = library.approved_answer(f"  {question.upper()} ", audience)
    assert served is not None
    review = served.pop("review")
    assert served == {k: v for k, v in real_answer.items() if k != "review"}
    assert served["disclaimer"] == DISCLAIMER
    assert review["status"] == "approved" and review["reviewed_by"] == "reviewer"
    assert review["label"].startswith("Approved by the Medical Advisory Board on ")
    assert library.approved_answer(question, "patient") is None  # another audience
    library.transition(people["reviewer"], draft.id, "retracted", version=1)
    assert library.approved_answer(question, audience) is None


def test_approved_answers_validate_against_the_shared_schema(
    library: Library, people: dict[str, Actor], real_answer: dict[str, Any], answer_schema: dict
) -> None:
    import jsonschema

    draft = library.create_draft(people["editor"], answer=real_answer)
    _approve(library, people, draft.id)
    served = library.approved_answer(real_answer["question"], real_answer["audience"])
    jsonschema.validate(served, answer_schema)


@pytest.fixture
def shelf(library: Library, people: dict[str, Actor], answer_for: Callable[..., Any]) -> dict:
    """Five articles: three approved (two topics, two audiences), one draft, one submitted."""
    made = {}
    for key, question, audience, topic in [
        ("gout", "How is gout treated?", "clinician", "rheumatology"),
        ("gout_patient", "How is gout treated?", "patient", "rheumatology"),
        ("ms", "What are the options for multiple sclerosis?", "clinician", "neurology"),
        ("draft", "Is gout contagious?", "clinician", "rheumatology"),
        ("submitted", "Does coffee prevent gout?", "clinician", "rheumatology"),
    ]:
        made[key] = library.create_draft(
            people["editor"], answer=answer_for(question, audience), topic=topic
        ).id
    for key in ("gout", "gout_patient", "ms"):
        _approve(library, people, made[key])
    library.transition(people["editor"], made["submitted"], "submitted", version=1)
    return made


def ids(page: Any) -> set[int]:
    return {a.id for a in page.items}


def test_public_list_search_filters_and_pages(
    library: Library, shelf: dict, real_answer: dict[str, Any]
) -> None:
    approved = {shelf["gout"], shelf["gout_patient"], shelf["ms"]}
    assert ids(library.articles(None)) == approved
    assert ids(library.articles(None, search="GOUT treated")) == {
        shelf["gout"],
        shelf["gout_patient"],
    }
    content_word = real_answer["bottom_line"]["text"].split()[0].strip(".,").lower()
    assert ids(library.articles(None, search=content_word)) == approved  # content matches too
    assert ids(library.articles(None, search="zzznothing")) == set()
    assert ids(library.articles(None, search="100%_")) == set()  # LIKE wildcards are literal
    assert ids(library.articles(None, topic="neurology")) == {shelf["ms"]}
    assert ids(library.articles(None, audience="patient")) == {shelf["gout_patient"]}
    assert ids(library.articles(None, reviewed_since=utcnow() + timedelta(days=1))) == set()
    first = library.articles(None, per_page=2, page=1)
    second = library.articles(None, per_page=2, page=2)
    assert (first.total, len(first.items), len(second.items)) == (3, 2, 1)
    assert ids(first) | ids(second) == approved
    with pytest.raises(Forbidden):  # readers may not list drafts
        library.articles(None, status="draft")
    with pytest.raises(InvalidRequest):
        library.articles(None, per_page=1000)


def test_staff_can_list_every_status_and_the_queue(
    library: Library, people: dict[str, Actor], shelf: dict
) -> None:
    assert ids(library.articles(people["editor"], status="draft")) == {shelf["draft"]}
    queue = library.review_queue(people["reviewer"])
    assert [(a.id, a.status) for a in queue.items] == [(shelf["submitted"], "submitted")]


def test_version_view_and_statement_comments(
    library: Library, people: dict[str, Actor], real_answer: dict[str, Any]
) -> None:
    draft = library.create_draft(people["editor"], answer=real_answer)
    library.comment(people["reviewer"], draft.id, 1, "Source [1] says otherwise", statement="s0.0")
    library.comment(people["reviewer"], draft.id, 1, "Overall fine")
    with pytest.raises(InvalidRequest, match="no statement"):
        library.comment(people["reviewer"], draft.id, 1, "?", statement="s99.0")
    view = library.version(people["reviewer"], draft.id, 1)
    first = view["statements"][1]
    assert first["path"] == "s0.0"
    assert [c["body"] for c in first["comments"]] == ["Source [1] says otherwise"]
    assert [c["body"] for c in view["comments"]] == ["Overall fine"]
    cited = {  # one reference per source; its passages under it
        (r["n"], p["passage_id"]): p["text"]
        for r in real_answer["references"]
        for p in r["passages"]
    }
    statements = [real_answer["bottom_line"]] + [
        s for section in real_answer["sections"] for s in section["statements"]
    ]
    assert any(len(r["passages"]) > 1 for r in real_answer["references"])
    for statement, shown in zip(statements, view["statements"], strict=True):
        # beside each statement: exactly the passages its evidence names, as cited
        named = [(e["n"], e["passage_id"]) for e in statement["evidence"]]
        assert sorted((p["n"], p["passage_id"]) for p in shown["passages"]) == sorted(named)
        for passage in shown["passages"]:
            assert passage["text"] == cited[passage["n"], passage["passage_id"]]


def test_diff_between_versions_is_statement_level(
    library: Library, people: dict[str, Actor], real_answer: dict[str, Any]
) -> None:
    import copy

    draft = library.create_draft(people["editor"], answer=real_answer)
    library.transition(people["editor"], draft.id, "submitted", version=1)
    library.transition(people["reviewer"], draft.id, "under_review", version=1)
    library.transition(people["reviewer"], draft.id, "changes_requested", version=1)
    revised = copy.deepcopy(real_answer)
    section = revised["sections"][0]["statements"]
    removed = section.pop()["text"] if len(section) > 1 else None
    old_bottom = revised["bottom_line"]["text"]
    revised["bottom_line"]["text"] = "A rewritten bottom line."
    revised["sections"].append(
        {
            "title": "New section",
            "statements": [{"text": "Added.", "citations": [], "support": "not_checked"}],
        }
    )
    library.revise(people["editor"], draft.id, revised, version=1)
    changes = {
        (c.kind, c.section, c.before, c.after)
        for c in library.diff(people["reviewer"], draft.id, 1, 2)
    }
    expected = {
        ("changed", "Bottom line", old_bottom, "A rewritten bottom line."),
        ("added", "New section", None, "Added."),
    }
    if removed:
        expected.add(("removed", revised["sections"][0]["title"], removed, None))
    assert changes == expected
    assert library.diff(people["reviewer"], draft.id, 2, 2) == []


def test_approvals_older_than_the_interval_are_due_for_review(
    library: Library, people: dict[str, Actor], answer_for
) -> None:
    fresh, old = (
        library.create_draft(people["editor"], answer=answer_for(q)).id
        for q in ("Fresh question?", "Old question?")
    )
    _approve(library, people, fresh)
    _approve(library, people, old)
    with library.db.writing() as s:
        article = s.get(Article, old)
        article.approved_at = utcnow() - timedelta(
            days=library.settings.library.review_interval_days + 1
        )
    queue = library.review_queue(people["reviewer"])
    assert [(a.id, a.due_for_review) for a in queue.items] == [(old, True)]
    assert library.article(None, fresh).due_for_review is False

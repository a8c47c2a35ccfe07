"""The editorial library's JSON API over HTTP (real uvicorn), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from librarysite import DATABASES, Site, database, library_site
from lxml import html
from webtools import assert_error, page, text_of

APPROVED_LINE = "Approved by the Medical Advisory Board on"
PENDING_LINE = "pending human review"


@pytest.fixture(scope="module", params=DATABASES)
def site(
    request: pytest.FixtureRequest, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with database(request.param, request, tmp_path_factory.mktemp("library-api")) as url:
        with library_site(built_home, url) as running:
            yield running


def draft(site: Site, question: str, audience: str = "clinician") -> dict[str, Any]:
    with site.api("editor") as editor:
        response = editor.post(
            "/api/v1/articles", json={"question": question, "audience": audience}
        )
    assert response.status_code == 201, response.text
    return response.json()


def move(site: Site, user: str, article: dict[str, Any], to: str, **extra: Any) -> Any:
    body = {"to": to, "version": article["current_version"], "comment": f"{user}: {to}", **extra}
    with site.api(user) as client:
        return client.post(f"/api/v1/articles/{article['id']}/transitions", json=body)


def advance(site: Site, user: str, article: dict[str, Any], to: str) -> dict[str, Any]:
    response = move(site, user, article, to)
    assert response.status_code == 200, response.text
    moved = response.json()
    assert moved["status"] == to
    return moved


def approve(site: Site, question: str, audience: str = "clinician") -> dict[str, Any]:
    article = draft(site, question, audience)
    article = advance(site, "editor", article, "submitted")
    article = advance(site, "reviewer", article, "under_review")
    return advance(site, "reviewer", article, "approved")


def review_strip(response: httpx.Response) -> html.HtmlElement:
    """The answer page's review status strip."""
    (strip,) = page(response).xpath("//div[starts-with(@aria-label, 'Review status')]")
    return strip


def test_every_write_needs_a_token(site: Site) -> None:
    writes = [
        ("/api/v1/articles", {"question": "How is gout treated?"}),
        ("/api/v1/articles/1/transitions", {"to": "approved", "version": 1}),
    ]
    with site.api() as anonymous:
        for path, body in writes:
            response = anonymous.post(path, json=body)
            assert_error(response, 401, "unauthenticated")
            assert response.headers["www-authenticate"] == "Bearer"
        assert_error(anonymous.get("/api/v1/review-queue"), 401, "unauthenticated")
        bad = anonymous.post(
            "/api/v1/articles", json=writes[0][1], headers={"Authorization": "Bearer mc_nope"}
        )
        assert_error(bad, 401, "unauthenticated")
        assert_error(
            anonymous.get("/api/v1/review-queue", headers={"Authorization": "Basic eDp5"}), 401
        )


def test_wrong_roles_are_forbidden(site: Site) -> None:
    body = {"question": "How is relapsing multiple sclerosis treated?"}
    for user in ("reader", "reviewer"):
        with site.api(user) as client:
            assert_error(client.post("/api/v1/articles", json=body), 403, "forbidden")
    with site.api("reader") as reader:
        assert_error(reader.get("/api/v1/review-queue"), 403, "forbidden")
    article = draft(site, body["question"])
    assert_error(move(site, "reviewer", article, "submitted"), 403, "forbidden")
    assert_error(move(site, "reader", article, "submitted"), 403, "forbidden")
    submitted = advance(site, "editor", article, "submitted")
    assert_error(move(site, "editor", submitted, "under_review"), 403, "forbidden")
    assert_error(move(site, "admin", submitted, "under_review"), 403, "forbidden")
    under_review = advance(site, "reviewer", submitted, "under_review")
    assert_error(move(site, "editor", under_review, "approved"), 403, "forbidden")


def test_review_flow_with_a_stale_second_reviewer(site: Site) -> None:
    article = draft(site, "What are the side effects of natalizumab?")
    assert article["status"] == "draft" and article["current_version"] == 1
    assert article["answer"]["review"]["status"] == "draft"
    with site.api() as anonymous:
        assert_error(anonymous.get(f"/api/v1/articles/{article['id']}"), 404, "not_found")
    submitted = advance(site, "editor", article, "submitted")
    with site.api("reviewer") as reviewer:
        queue = reviewer.get("/api/v1/review-queue").json()
    assert article["id"] in {item["id"] for item in queue["items"]}
    under_review = advance(site, "reviewer", submitted, "under_review")
    seen_lock = under_review["lock_version"]
    approved = advance(site, "reviewer", under_review, "approved")
    assert approved["approved_version"] == 1 and approved["approved_by"] == "reviewer"
    # The second reviewer acts on the page they loaded before the approval.
    late = move(site, "reviewer2", under_review, "changes_requested", lock_version=seen_lock)
    error = assert_error(late, 409, "conflict")
    assert "reload" in error["message"]
    with site.api() as anonymous:
        public = anonymous.get(f"/api/v1/articles/{article['id']}").json()
    assert public["status"] == "approved"
    assert public["answer"]["review"]["label"].startswith(APPROVED_LINE)
    assert_error(move(site, "reviewer", approved, "changes_requested"), 409, "illegal_transition")


def test_a_second_draft_names_the_article_that_exists(site: Site) -> None:
    question = "Which drugs treat gout flares in older adults?"
    first = draft(site, question)
    with site.api("editor") as editor:
        again = editor.post("/api/v1/articles", json={"question": question.upper()})
        error = assert_error(again, 409, "conflict")
        assert error["article_url"] == f"/api/v1/articles/{first['id']}"
        assert error["state"] == "draft" and error["article_id"] == first["id"]
        assert editor.get(error["article_url"]).json()["question"] == question
    assert draft(site, question, "patient")["id"] != first["id"]  # another audience: its own


def test_invalid_requests_are_422(site: Site) -> None:
    with site.api("editor") as editor:
        assert_error(editor.post("/api/v1/articles", json={}), 422)
        assert_error(editor.post("/api/v1/articles", json={"answer": {"question": "x"}}), 422)
        response = editor.post("/api/v1/articles/1/transitions", json={"to": "done", "version": 1})
        assert_error(response, 422, "invalid_parameters")
        assert_error(editor.get("/api/v1/articles/999999"), 404, "not_found")


def test_the_approved_article_is_what_readers_get(site: Site, answer_schema: dict) -> None:
    question = "How should vaccines be stored?"
    approve(site, question, "nurse")
    with site.api() as anonymous:
        served = anonymous.post("/api/v1/answers", json={"question": question, "audience": "nurse"})
        live = anonymous.post("/api/v1/answers", json={"question": question, "audience": "patient"})
        ask_page = anonymous.get("/ask", params={"q": question, "audience": "nurse"})
        ask_json = anonymous.get("/ask.json", params={"q": question, "audience": "nurse"})
        ask_md = anonymous.get("/ask.md", params={"q": question, "audience": "nurse"})
        stream = anonymous.get(
            "/api/v1/answers/stream", params={"q": question, "audience": "nurse"}
        )
    assert served.status_code == 200, served.text
    jsonschema.validate(served.json(), answer_schema)
    review = served.json()["review"]
    assert review["status"] == "approved" and review["label"].startswith(APPROVED_LINE)
    assert ask_json.json() == served.json()
    assert f"_Review status: approved — {review['label']}_" in ask_md.text
    assert stream.text.startswith("event: answer\n")  # the approved answer, nothing composed
    assert json.loads(stream.text.split("data: ", 1)[1]) == served.json()
    assert live.json()["review"]["status"] == "draft"
    assert live.json()["review"]["label"].endswith(PENDING_LINE)
    strip = review_strip(ask_page)
    assert "review-approved" in strip.get("class")
    assert text_of(strip).count(APPROVED_LINE) == 1


def test_an_unapproved_article_is_never_served_as_approved(site: Site) -> None:
    question = "How is gout treated?"
    article = advance(site, "editor", draft(site, question), "submitted")
    advance(site, "reviewer", article, "under_review")
    with site.api() as anonymous:
        answer = anonymous.post("/api/v1/answers", json={"question": question}).json()
        strip = review_strip(anonymous.get("/ask", params={"q": question}))
    assert answer["review"]["status"] == "draft"
    assert "review-pending" in strip.get("class")
    assert PENDING_LINE in text_of(strip) and APPROVED_LINE not in text_of(strip)


def test_public_list_searches_filters_and_pages(site: Site) -> None:
    first = approve(site, "What is the prognosis of multiple sclerosis?", "student")
    second = approve(site, "How is multiple sclerosis diagnosed?", "student")
    with site.api() as anonymous:
        listed = anonymous.get("/api/v1/articles", params={"audience": "student"}).json()
        one_page = anonymous.get(
            "/api/v1/articles", params={"audience": "student", "per_page": 1, "page": 2}
        ).json()
        searched = anonymous.get("/api/v1/articles", params={"search": "prognosis"}).json()
        nothing = anonymous.get("/api/v1/articles", params={"search": "zqxj wvkp"}).json()
        drafts = anonymous.get("/api/v1/articles", params={"status": "draft"})
        future = anonymous.get("/api/v1/articles", params={"reviewed_since": "2999-01-01"}).json()
    assert {item["id"] for item in listed["items"]} == {first["id"], second["id"]}
    assert listed["total"] == 2 and one_page["total"] == 2 and len(one_page["items"]) == 1
    assert one_page["items"][0]["id"] == first["id"]  # newest review first
    assert first["id"] in {item["id"] for item in searched["items"]}
    assert nothing["total"] == 0 and nothing["items"] == []
    assert_error(drafts, 403, "forbidden")  # readers may not list drafts
    assert future["total"] == 0


def test_a_forged_answer_is_refused_naming_the_reference(site: Site) -> None:
    """The issue's case: an editor rewrites a cited passage and the bottom line; the API
    refuses it (422, the reference and passage named) and stores nothing to review."""
    question = "What are the symptoms of multiple sclerosis?"
    with site.api() as anonymous:
        answer = anonymous.post("/api/v1/answers", json={"question": question}).json()
    forged = json.loads(json.dumps(answer))
    ref = forged["references"][0]
    ref["text"] = ref["passages"][0]["text"] = "Colchicine 40 mg every hour."
    forged["bottom_line"]["text"] = "Colchicine 40 mg every hour."
    with site.api("editor") as editor:
        refused = editor.post("/api/v1/articles", json={"answer": forged})
        error = assert_error(refused, 422, "evidence_mismatch")
        assert (error["reference"], error["passage_id"]) == (ref["n"], ref["passage_id"])
        assert error["message"].startswith(f"reference [{ref['n']}], passage {ref['passage_id']}")
        listed = editor.get("/api/v1/articles", params={"search": "colchicine"}).json()
        assert listed["total"] == 0
        genuine = editor.post("/api/v1/articles", json={"answer": answer})
    assert genuine.status_code == 201, genuine.text

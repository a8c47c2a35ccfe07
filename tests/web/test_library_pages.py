"""Sign-in, CSRF, the reviewer's pages and the public library over HTTP (real uvicorn)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from librarysite import (
    HTML,
    PASSWORD,
    Site,
    database,
    form_fields,
    forms,
    library_site,
    press,
    sign_in,
)
from lxml import html
from webtools import assert_error, page, text_of

from medcite.config import Settings
from medcite.eval.bench.library import http_view, run
from medcite.library import Library
from medcite.library.articles import load, mark_stale
from medcite.library.schema import utcnow
from medcite.library.workflow import Actor
from medcite.service import Engine

QUESTION = "What are the treatment options for progressive multiple sclerosis?"


@pytest.fixture(scope="module")
def site(
    request: pytest.FixtureRequest, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with database("sqlite", request, tmp_path_factory.mktemp("library-pages")) as url:
        with library_site(built_home, url) as running:
            yield running


def save_draft(client: httpx.Client, question: str, audience: str = "clinician") -> str:
    """The answer page's "Save as draft" form, submitted; returns the version page's path."""
    (form,) = forms(client.get("/ask", params={"q": question, "audience": audience}), "/drafts")
    response = client.post("/articles/drafts", data=form_fields(form))
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_login_sets_a_safe_session_cookie(site: Site) -> None:
    with httpx.Client(base_url=site.url) as client:
        wrong = sign_in(client, "reviewer", "nope")
        assert wrong.status_code == 401 and 'role="alert"' in wrong.text
        response = sign_in(client, "reviewer", PASSWORD, next="//evil.example/")
        assert response.status_code == 303 and response.headers["location"] == "/review"
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
        assert "Sign out reviewer" in text_of(page(client.get("/review")))
        (logout,) = forms(client.get("/review"), "/logout")
        assert client.post("/logout", data=form_fields(logout)).status_code == 303
        assert client.get("/review", headers=HTML).status_code == 303


def test_reviewer_pages_need_a_signed_in_reviewer(site: Site) -> None:
    with httpx.Client(base_url=site.url) as anonymous:
        response = anonymous.get("/review", headers=HTML)
        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=%2Freview"
        assert_error(anonymous.get("/review"), 401, "unauthenticated")
    with site.browser_client("reader") as reader:
        refused = reader.get("/review", headers=HTML)
        assert refused.status_code == 403 and "review queue" in refused.text
        assert "text/html" in refused.headers["content-type"]


def test_forms_without_the_session_csrf_token_are_refused(site: Site) -> None:
    data = {"q": "How is gout treated?", "audience": "clinician"}
    with httpx.Client(base_url=site.url) as anonymous:
        assert_error(anonymous.post("/articles/drafts", data=data), 401)
    with site.browser_client("editor") as editor:
        assert_error(editor.post("/articles/drafts", data=data), 403, "forbidden")
        wrong = editor.post("/articles/drafts", data={**data, "csrf_token": "forged"})
        assert_error(wrong, 403, "forbidden")
        with site.browser_client("reviewer") as reviewer:  # another session's token
            (other,) = forms(reviewer.get("/review"), "/logout")
        stolen = {**data, "csrf_token": form_fields(other)["csrf_token"]}
        assert_error(editor.post("/articles/drafts", data=stolen), 403, "forbidden")
        assert editor.get("/api/v1/review-queue").status_code == 401  # the API ignores cookies


def test_review_pages_flow_and_a_stale_second_reviewer(site: Site) -> None:
    with (
        site.browser_client("editor") as editor,
        site.browser_client("reviewer") as reviewer,
        site.browser_client("reviewer2") as reviewer2,
    ):
        version_path = save_draft(editor, QUESTION)
        draft_page = editor.get(version_path)
        assert press(editor, draft_page, "submitted").status_code == 303
        queue = page(reviewer.get("/review"))
        assert QUESTION in text_of(queue)
        started = press(reviewer, reviewer.get(version_path), "under_review")
        assert started.status_code == 303
        shown = reviewer.get(version_path)
        seen_by_second = reviewer2.get(version_path)
        statements = page(shown).xpath("//li[contains(@class, 'review-statement')]")
        assert statements and statements[0].xpath(".//blockquote"), "passages beside statements"
        (first_comment, *_) = forms(shown, "/comments")
        fields = {**form_fields(first_comment), "body": "Check the dose against the label."}
        assert reviewer.post(first_comment.action, data=fields).status_code == 303
        assert "Check the dose against the label." in reviewer.get(version_path).text
        assert press(reviewer, shown, "approved").status_code == 303
        late = press(reviewer2, seen_by_second, "changes_requested")
        assert late.status_code == 409 and "changed since you loaded it" in late.text
        article = page(reviewer.get(version_path))
        assert "Approved" in text_of(article.xpath("//p[@class='review-meta']")[0])


def test_a_second_draft_page_links_to_the_article_that_exists(site: Site) -> None:
    question = "Which drugs prevent migraine attacks?"
    with site.browser_client("editor") as editor:
        version_path = save_draft(editor, question)
        article_id = int(version_path.split("/")[2])
        (form,) = forms(editor.get("/ask", params={"q": question}), "/drafts")
        again = editor.post("/articles/drafts", data=form_fields(form), headers=HTML)
        assert again.status_code == 409
        (link,) = html.fromstring(again.text).xpath("//a[@class='error-link']")
        assert link.get("href") == f"/review/{article_id}" and "(draft)" in link.text
        assert editor.get(link.get("href")).headers["location"] == version_path


def test_public_library_and_article_page(site: Site) -> None:
    with site.browser_client("editor") as editor, site.browser_client("reviewer") as reviewer:
        version_path = save_draft(editor, "How is multiple sclerosis diagnosed?", "student")
        press(editor, editor.get(version_path), "submitted")
        press(reviewer, reviewer.get(version_path), "under_review")
        press(reviewer, reviewer.get(version_path), "approved")
    with httpx.Client(base_url=site.url) as anonymous:
        listed = page(anonymous.get("/articles", params={"q": "diagnosed", "audience": "student"}))
        links = listed.xpath("//a[@class='article-title']")
        assert [text_of(a) for a in links] == ["How is multiple sclerosis diagnosed?"]
        empty = page(anonymous.get("/articles", params={"q": "zqxj wvkp"}))
        assert not empty.xpath("//a[@class='article-title']")
        article = anonymous.get(links[0].get("href"))
        strip = page(article).xpath("//div[starts-with(@aria-label, 'Review status')]")[0]
        assert "review-approved" in strip.get("class")
        assert "Approved by the Medical Advisory Board on" in text_of(strip)
        assert "Last updated" in article.text
        slug = links[0].get("href").rsplit("/", 1)[1]
        assert anonymous.get("/articles/no-such-article", headers=HTML).status_code == 404
    with Library(site.settings) as library, library.db.writing() as session:
        target = library.article_by_slug(None, slug)
        mark_stale(session, load(session, target.id), "a cited passage changed", Actor.system())
    with httpx.Client(base_url=site.url) as anonymous:
        stale = page(anonymous.get(f"/articles/{slug}"))
        banner = text_of(stale.xpath("//p[contains(@class, 'banner-review')]")[0])
        assert "a cited passage changed" in banner
        strip = stale.xpath("//div[starts-with(@aria-label, 'Review status')]")[0]
        assert "review-pending" in strip.get("class")


def test_library_bench_times_the_approved_and_live_pages(built_home: Path, tmp_path: Path) -> None:
    settings = Settings(home=built_home)
    url = f"sqlite:///{tmp_path / 'bench.sqlite'}"
    with Engine(settings) as engine, Library(settings, url=url) as library:
        run(engine, library, articles=30, repeats=3, question=QUESTION)
    timings = http_view(settings, url, repeats=3, question=QUESTION)
    approved, live = timings["approved_page"]["p50_ms"], timings["live_page"]["p50_ms"]
    assert 0 < approved <= timings["approved_page"]["p95_ms"] and live > 0
    assert timings["live_over_approved_p50"] == round(live / approved, 1)


def test_diff_between_versions(site: Site) -> None:
    with site.browser_client("editor") as editor, site.browser_client("reviewer") as reviewer:
        version_path = save_draft(editor, "How is multiple sclerosis treated in children?")
        press(editor, editor.get(version_path), "submitted")
        press(reviewer, reviewer.get(version_path), "under_review")
        press(reviewer, reviewer.get(version_path), "changes_requested")
        article_id = int(version_path.split("/")[2])
        with Library(site.settings) as library:
            editor_actor = library.login("editor", PASSWORD)
            answer = library.version(editor_actor, article_id, 1)["answer"]
            changed = {**answer, "bottom_line": {**answer["bottom_line"], "text": "Rewritten."}}
            library.revise(editor_actor, article_id, changed, version=1)
        second = reviewer.get(f"/review/{article_id}")
        assert second.status_code == 303 and second.headers["location"].endswith("/versions/2")
        (link,) = page(reviewer.get(second.headers["location"])).xpath(
            "//a[contains(@href, '/diff')]"
        )
        changes = text_of(page(reviewer.get(link.get("href"))))
        assert "Rewritten." in changes and answer["bottom_line"]["text"] in changes


def test_secure_cookies_and_the_due_for_review_banner(
    request: pytest.FixtureRequest, built_home: Path, tmp_path: Path
) -> None:
    with (
        database("sqlite", request, tmp_path) as url,
        library_site(built_home, url, secure_cookies=True, review_interval_days=30) as strict,
    ):
        with httpx.Client(base_url=strict.url) as client:
            response = sign_in(client, "editor", PASSWORD)
        assert "; secure" in response.headers["set-cookie"].lower()
        with Library(strict.settings) as library:
            editor, reviewer = (library.login(name, PASSWORD) for name in ("editor", "reviewer"))
            made = library.create_draft(editor, answer=engine_answer(built_home))
            for actor, to in [(editor, "submitted"), (reviewer, "under_review")]:
                library.transition(actor, made.id, to, version=1)
            library.transition(reviewer, made.id, "approved", version=1)
            with library.db.writing() as session:
                load(session, made.id).approved_at = utcnow() - timedelta(days=31)
        with httpx.Client(base_url=strict.url) as anonymous:
            shown = page(anonymous.get(f"/articles/{made.slug}"))
        assert "Due for review" in text_of(shown.xpath("//p[contains(@class, 'banner-due')]")[0])
        strip = shown.xpath("//div[starts-with(@aria-label, 'Review status')]")[0]
        assert "review-approved" in strip.get("class")  # still approved, only flagged


def engine_answer(home: Path) -> dict:
    with Engine(Settings(home=home)) as engine:
        return engine.answer("How should vaccines be stored?").to_dict()


GOUT = [
    {
        "id": "g1",
        "title": "Treatment of acute gout",
        "text": "Colchicine, NSAIDs and corticosteroids are first-line treatments for acute gout "
        "flares. Treatment should start within 24 hours of flare onset.",
        "year": 2020,
    }
]


def test_the_version_page_shows_the_corpus_passage_and_flags_one_that_left_it(
    request: pytest.FixtureRequest, tmp_path: Path, write_jsonl
) -> None:
    """The reviewer reads the corpus's text; a passage re-cut since the version was written is
    flagged, and approving that version is refused with the reason."""
    home = tmp_path / "home"
    with Engine(Settings(home=home)) as engine:
        engine.ingest([write_jsonl(tmp_path / "gout.jsonl", GOUT)])
    with database("sqlite", request, tmp_path) as url, library_site(home, url) as own:
        with own.browser_client("editor") as editor, own.browser_client("reviewer") as reviewer:
            version_path = save_draft(editor, "How are gout flares treated?")
            press(editor, editor.get(version_path), "submitted")
            shown = page(reviewer.get(version_path))
            quoted = [
                text_of(q) for q in shown.xpath("//figure[@class='review-passage']//blockquote")
            ]
            assert quoted and all(q in GOUT[0]["text"] for q in quoted)
            assert not shown.xpath("//p[contains(@class, 'passage-gone')]")

            changed = [{**GOUT[0], "text": GOUT[0]["text"].replace("first-line", "second-line")}]
            with Engine(Settings(home=home)) as engine:
                engine.ingest([write_jsonl(tmp_path / "gout.jsonl", changed)])
            press(reviewer, reviewer.get(version_path), "under_review")
            flagged = reviewer.get(version_path)
            assert page(flagged).xpath("//p[contains(@class, 'passage-gone')]")
            refused = press(reviewer, flagged, "approved")
    assert refused.status_code == 409
    assert "cannot be approved: passage [1] of jsonl:g1 changed" in refused.text

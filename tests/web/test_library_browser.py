"""The review flow in Debian chromium: an editor saves and submits, a reviewer approves, and
the public pages change. Screenshots go to tests/web/artifacts/ (review-version.png,
library-article.png, library-list.png)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from librarysite import PASSWORD, Site, database, library_site
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.browser

QUESTION = "What are the side effects of natalizumab?"
ASK = "/ask?" + urlencode({"q": QUESTION, "audience": "clinician"})
APPROVED_LINE = "Approved by the Medical Advisory Board on"


@pytest.fixture(scope="module")
def site(
    request: pytest.FixtureRequest, built_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    with database("sqlite", request, tmp_path_factory.mktemp("library-browser")) as url:
        with library_site(built_home, url) as running:
            yield running


@pytest.fixture
def contexts() -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


def open_page(browser: Browser, contexts: list[BrowserContext]) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    contexts.append(context)
    return context.new_page()


def sign_in(page: Page, site: Site, user: str, next_path: str) -> None:
    page.goto(f"{site.url}/login?" + urlencode({"next": next_path}))
    page.fill("#login-username", user)
    page.fill("#login-password", PASSWORD)
    page.click("form.stacked-form button[type=submit]")
    expect(page.locator(".site-header")).to_contain_text(f"Sign out {user}")


def axe_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def review_strip(page: Page) -> str:
    return page.locator("article.answer .review").get_attribute("class") or ""


def test_editor_submits_reviewer_approves_public_pages_change(
    browser: Browser, contexts: list[BrowserContext], site: Site, artifacts: Path
) -> None:
    editor = open_page(browser, contexts)
    sign_in(editor, site, "editor", ASK)
    editor.wait_for_url(re.compile(r"/ask\?"))
    assert "review-pending" in review_strip(editor)
    editor.click("button:has-text('Save as draft')")
    editor.wait_for_url(re.compile(r"/review/\d+/versions/1$"))
    version_url = editor.url
    editor.click("button:has-text('Submit for review')")
    expect(editor.locator(".review-meta .badge")).to_have_text("Submitted")

    reader = open_page(browser, contexts)
    reader.goto(site.url + ASK)
    assert "review-pending" in review_strip(reader)
    expect(reader.locator("article.answer .review-line")).to_contain_text("pending human review")

    reviewer = open_page(browser, contexts)
    sign_in(reviewer, site, "reviewer", "/review")
    reviewer.click(f"a:has-text('{QUESTION}')")
    reviewer.wait_for_url(version_url)
    reviewer.click("button:has-text('Start review')")
    expect(reviewer.locator(".review-meta .badge")).to_have_text("Under review")
    expect(reviewer.locator(".review-passage blockquote").first).not_to_have_text("")
    reviewer.fill("#c-bottom_line", "Matches the label.")
    reviewer.locator("#st-bottom_line button[type=submit]").click()
    expect(reviewer.locator("#st-bottom_line .review-comment")).to_contain_text(
        "Matches the label."
    )
    assert axe_violations(reviewer) == []
    reviewer.screenshot(path=artifacts / "review-version.png", full_page=True)
    reviewer.click("button:has-text('Approve')")
    expect(reviewer.locator(".review-meta .badge")).to_have_text("Approved")

    reader.goto(site.url + "/articles")
    assert axe_violations(reader) == []
    reader.screenshot(path=artifacts / "library-list.png", full_page=True)
    reader.click(f"a.article-title:has-text('{QUESTION}')")
    assert "review-approved" in review_strip(reader)
    expect(reader.locator("article.answer .review-line")).to_contain_text(APPROVED_LINE)
    expect(reader.locator(".answer-meta")).to_contain_text("Last updated")
    reader.screenshot(path=artifacts / "library-article.png", full_page=True)
    reader.goto(site.url + ASK)
    assert "review-approved" in review_strip(reader)
    expect(reader.locator("article.answer .review-line")).to_contain_text(APPROVED_LINE)


def test_forms_work_without_javascript(browser: Browser, site: Site) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, site, "reviewer", "/review")
        expect(page.locator("h1")).to_have_text("Review queue")
        page.click(".site-header button:has-text('Sign out')")
        expect(page.locator(".site-header")).to_contain_text("Sign in")
    finally:
        context.close()

"""Threads, the remembered audience and related questions in Debian chromium (Playwright).

Screenshots of a thread page (desktop and phone) are written to tests/web/artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from webtools import MS_QUESTION

pytestmark = pytest.mark.browser

FOLLOW_UP = "what about dosing?"
THREAD_URL = re.compile(r"/threads/[\w-]+$")


def ask_path(question: str = MS_QUESTION, **params: str) -> str:
    return "/ask?" + urlencode({"q": question, **params})


def start_thread(page: Page, server: str) -> str:
    """Ask MS_QUESTION, then FOLLOW_UP in the follow-up box: the thread page's URL."""
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep)
    page.goto(server + ask_path())
    page.evaluate("window.__samePage = true")
    page.fill("#follow-up-q", FOLLOW_UP)
    page.click("#follow-up button[type=submit]")
    expect(page).to_have_url(THREAD_URL)
    assert page.evaluate("window.__samePage") is True, "the answer is appended, no reload"
    assert errors == []  # a CSP violation would show up here
    return page.url


def test_follow_up_becomes_a_thread_page(page: Page, server: str, artifacts: Path) -> None:
    url = start_thread(page, server)
    expect(page.locator("#thread article.answer h1")).to_have_text([MS_QUESTION, FOLLOW_UP])
    expect(page.locator("#a1 .answering")).to_have_text(re.compile(r"^Answering: dosing .+"))
    expect(page.locator("#a1 h1")).to_be_focused()

    page.reload()
    expect(page.locator("#thread article.answer h1")).to_have_text([MS_QUESTION, FOLLOW_UP])
    expect(page.locator("#a0 .answering")).to_have_count(0)  # asked as answered: no rewrite
    expect(page.locator("#a1 .answering")).to_contain_text("multiple sclerosis")
    expect(page.locator(".thread-meta a").first).to_have_text(url.removeprefix(server))

    page.fill("#follow-up-q", "and in pregnancy?")
    page.click("#follow-up button[type=submit]")
    expect(page.locator("#thread article.answer")).to_have_count(3)
    expect(page).to_have_url(url)
    page.screenshot(path=artifacts / "thread-desktop.png", full_page=True)
    page.locator("#a1").screenshot(path=artifacts / "thread-desktop-turn2.png")


def test_thread_page_on_a_phone(browser: Browser, server: str, artifacts: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    start_thread(page, server)
    page.reload()
    expect(page.locator("#thread article.answer")).to_have_count(2)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the thread page scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=artifacts / "thread-phone.png", full_page=True)
    page.locator("#a1 .answer-header").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "thread-phone-turn2.png")
    context.close()


def test_axe_finds_no_violations_on_a_thread_page(page: Page, server: str) -> None:
    start_thread(page, server)
    page.reload()
    results = Axe().run(page)
    violations = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
    assert violations == []


def test_patient_audience_persists_and_shows_its_notes(
    page: Page, server: str, artifacts: Path
) -> None:
    page.goto(server + ask_path())
    with page.expect_response(lambda r: "/ask?" in r.url):
        page.check("#a0 input[name=audience][value=patient]")
    notes = page.locator("#a0 .audience-notes")
    expect(notes).to_be_visible()
    expect(notes).to_contain_text("Talk to your care team")
    page.locator("#a0").screenshot(path=artifacts / "patient-answer.png")
    statements = page.locator("#a0 .answer-section li, #a0 .bottom-line p")
    assert statements.count() > 0
    for statement in statements.all():
        expect(statement.locator("a.cite").first).to_be_visible()  # citations on every statement

    page.goto(server + "/")  # a new question, from the home page's search box
    expect(page.locator("#audience")).to_have_value("patient")
    page.fill("#q", "What about dosing of natalizumab?")
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r"audience=patient"))
    expect(page.locator("#a0 input[name=audience][value=patient]")).to_be_checked()
    expect(page.locator("#a0 .audience-notes")).to_contain_text("Ask your clinician")

    page.goto(server + "/ask?" + urlencode({"q": "How is gout treated?"}))  # no audience
    expect(page.locator("#a0 input[name=audience][value=patient]")).to_be_checked()


def test_clicking_a_related_question_asks_it(page: Page, server: str) -> None:
    page.goto(server + ask_path())
    related = page.locator("#a0 .related a")
    assert related.count() >= 5, "the engine fills 5-10 related questions"
    texts = related.all_inner_texts()
    assert len(set(texts)) == len(texts) and MS_QUESTION not in texts
    question = texts[0]
    related.first.click()
    page.wait_for_url(re.compile(r"/ask\?q="))
    expect(page.locator("#a0 h1")).to_have_text(question)
    expect(page.locator("#a0 .bottom-line")).to_be_visible()

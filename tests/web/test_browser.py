"""The answer page in Debian chromium (Playwright) against a real uvicorn server.

Screenshots of the answer page (desktop and phone) are written to tests/web/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from webtools import MS_QUESTION

pytestmark = pytest.mark.browser

FOLLOW_UP = "What are the side effects of natalizumab?"


def ask_path(question: str = MS_QUESTION, **params: str) -> str:
    return "/ask?" + urlencode({"q": question, **params})


@pytest.fixture
def no_console_errors(page: Page) -> Iterator[None]:
    """Console errors (a CSP violation shows up here); each test ends asserting there are none."""
    errors: list[str] = []

    def keep(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", keep)
    yield
    assert errors == []


@pytest.mark.usefixtures("no_console_errors")
def test_ask_read_preview_and_follow_a_citation(page: Page, server: str) -> None:
    page.goto(server + "/")
    page.fill("#q", MS_QUESTION)
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r"/ask\?"))
    answer = page.locator("article.answer")
    expect(answer.locator("h1")).to_have_text(MS_QUESTION)
    bold = answer.locator(".bottom-line strong")
    expect(bold).to_be_visible()
    assert bold.evaluate("e => Number(getComputedStyle(e).fontWeight)") >= 600
    citation = answer.locator("a.cite").first
    number = citation.inner_text()
    assert number.isdigit()

    preview = answer.locator(".cite-wrap").first.locator(".preview")
    expect(preview).to_be_hidden()
    citation.hover()
    expect(preview).to_be_visible()
    expect(preview.locator("mark")).not_to_have_text("")

    citation.click()
    page.wait_for_url(re.compile(rf"#a0-ref-{number}$"))
    expect(page.locator(f"#a0-ref-{number}")).to_be_in_viewport()

    expect(answer.locator(".disclaimer")).to_contain_text("not medical advice")
    expect(answer.locator(".review-line")).to_have_text(
        "Educational purpose only • pending human review"
    )
    expect(page.locator(".review-approved")).to_have_count(0)
    expect(answer.locator(".step[aria-current]")).to_have_count(0)  # a draft: no step reached


@pytest.mark.usefixtures("no_console_errors")
def test_audience_switch_and_follow_up_without_reload(
    page: Page, server: str, artifacts: Path
) -> None:
    page.goto(server + ask_path())
    page.evaluate("window.__samePage = true")
    expect(page.locator(".audience-submit")).to_be_hidden()  # JS submits on change

    with page.expect_response(lambda r: "/ask?" in r.url) as switched:
        page.check("#a0 input[name=audience][value=patient]")
    assert switched.value.ok
    assert switched.value.request.headers.get("x-medcite-fragment") == "1"
    expect(page.locator("#a0 input[name=audience][value=patient]")).to_be_checked()
    expect(page).to_have_url(re.compile(r"audience=patient"))

    page.fill("#follow-up-q", FOLLOW_UP)
    page.click("#follow-up button[type=submit]")
    expect(page.locator("article.answer")).to_have_count(2)
    expect(page.locator("#a1 h1")).to_have_text(FOLLOW_UP)
    expect(page.locator("#a1 h1")).to_be_focused()
    expect(page.locator("#a1 input[name=audience][value=patient]")).to_be_checked()
    expect(page).to_have_url(re.compile(r"/threads/[\w-]+$"))  # the thread keeps the history
    expect(page.locator("#follow-up input[name=history]")).to_have_count(0)
    assert page.url.endswith(page.locator("#follow-up").get_attribute("action") or "-")
    assert page.evaluate("window.__samePage") is True, "the page must not have reloaded"
    page.screenshot(path=artifacts / "answer-thread-desktop.png", full_page=True)


def test_without_javascript_forms_still_work(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + ask_path())
    page.check("#a0 input[name=audience][value=nurse]")
    page.click("#a0 .audience-submit")
    page.wait_for_url(re.compile(r"audience=nurse"))
    expect(page.locator("#a0 input[name=audience][value=nurse]")).to_be_checked()
    page.fill("#follow-up-q", FOLLOW_UP)
    page.click("#follow-up button[type=submit]")
    page.wait_for_url(re.compile(r"/threads/[\w-]+#a1$"))
    expect(page.locator("article.answer h1")).to_have_text([MS_QUESTION, FOLLOW_UP])
    expect(page.locator("#a1 input[name=audience][value=nurse]")).to_be_checked()
    page.goto(server + "/ask?" + urlencode({"q": FOLLOW_UP}))  # the cookie remembers "nurse"
    expect(page.locator("#a0 input[name=audience][value=nurse]")).to_be_checked()
    context.close()


@pytest.mark.usefixtures("no_console_errors")
def test_desktop_screenshot_and_copy_buttons(page: Page, server: str, artifacts: Path) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(server + ask_path())
    page.click("button[data-copy-url^='/ask.md']")
    expect(page.locator("button[data-copy-url^='/ask.md']")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"# {MS_QUESTION}")
    page.screenshot(path=artifacts / "answer-desktop.png", full_page=True)


def test_phone_viewport(browser: Browser, server: str, artifacts: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(server + ask_path())
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=artifacts / "answer-phone.png", full_page=True)
    wrap = page.locator("#a0 .cite-wrap").first
    wrap.locator("a.cite").tap()  # first tap opens the preview instead of jumping away
    preview = wrap.locator(".preview")
    expect(preview).to_be_visible()
    expect(preview).to_be_in_viewport()
    page.screenshot(path=artifacts / "answer-phone-preview.png")
    preview.locator(".preview-go").tap()
    page.wait_for_url(re.compile(r"#a0-ref-\d+$"))
    context.close()


def test_hostile_corpus_renders_inert(page: Page, hostile_server: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_server + ask_path("How is gout treated? <script>alert(2)</script>"))
    expect(page.locator("article.answer h1")).to_contain_text("<script>alert(2)</script>")
    for citation in page.locator("a.cite").all():
        citation.hover()
    for summary in page.locator(".ref-passage summary").all():
        summary.click()
    shown = page.locator(".references").inner_text()
    assert "<script>window.__xss = 1; alert(1)</script>" in shown
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert page.locator("a[href^='javascript:']").count() == 0


@pytest.mark.parametrize(
    "path", ["/", ask_path(), ask_path(audience="patient"), "/about", "/editorial-policy"]
)
def test_axe_finds_no_accessibility_violations(page: Page, server: str, path: str) -> None:
    page.goto(server + path)
    results = Axe().run(page)
    violations = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]
    assert violations == []


def test_keyboard_reaches_citation_previews(page: Page, server: str) -> None:
    page.goto(server + ask_path())
    page.locator("#a0 a.cite").first.focus()
    expect(page.locator("#a0 .cite-wrap").first.locator(".preview")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#a0 .cite-wrap").first.locator(".preview")).to_be_hidden()


def test_print_shows_the_article_without_controls(page: Page, server: str) -> None:
    page.emulate_media(media="print")
    page.goto(server + ask_path())
    expect(page.locator("#a0 .bottom-line")).to_be_visible()
    expect(page.locator("#a0 .references")).to_be_visible()
    expect(page.locator("#a0 .disclaimer")).to_be_visible()
    for control in ("#follow-up", "#a0 .audience", "#a0 .export", ".site-header nav"):
        expect(page.locator(control)).to_be_hidden()


@pytest.mark.usefixtures("no_console_errors")
def test_swagger_ui_runs_under_the_csp(page: Page, server: str) -> None:
    page.goto(server + "/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock-summary-path").count() >= 5

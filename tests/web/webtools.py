"""Helpers shared by the web tests (imported as a plain module: tests/web is on sys.path)."""

from __future__ import annotations

import httpx
from lxml import html

MS_QUESTION = "What are the treatment options for multiple sclerosis?"


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The response is a JSON error of this status (and code), with a message, no traceback."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    assert body["error"]["message"] and "Traceback" not in response.text
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


def page(response: httpx.Response) -> html.HtmlElement:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return html.fromstring(response.text)


def text_of(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())

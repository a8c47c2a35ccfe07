"""The reader's audience, remembered per browser in a cookie (works without JavaScript).

Whenever a page is asked for an explicit audience (the "Which best describes you?" form, the
search box's select, a follow-up), the response sets :data:`COOKIE`; a later page asked without
one (``/ask?q=...`` typed or linked) gets the remembered audience, and the search box and
thread pages start from it. The API never reads the cookie: API clients say what they want.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcite.config import AUDIENCES

COOKIE = "medcite_audience"
ONE_YEAR = 365 * 24 * 3600
DEFAULT = "clinician"
# The answer pages whose `audience` query parameter is remembered / defaulted from the cookie.
ANSWER_PAGES = frozenset({"/ask", "/ask.md", "/ask.json"})


def preferred_audience(request: Request) -> str:
    """The audience remembered for this browser, else the default."""
    return _valid(request.cookies.get(COOKIE)) or DEFAULT


def remember_audience(response: Response, audience: str) -> None:
    """Set the cookie on ``response`` (a page where the reader chose ``audience``)."""
    if _valid(audience):
        response.set_cookie(COOKIE, audience, max_age=ONE_YEAR, httponly=True, samesite="lax")


def _set_cookie(audience: str) -> tuple[bytes, bytes]:
    carrier = Response()
    remember_audience(carrier, audience)
    return next(h for h in carrier.raw_headers if h[0] == b"set-cookie")


def _valid(audience: str | None) -> str | None:
    return audience if audience in AUDIENCES else None


class AudienceCookie:
    """ASGI middleware for the answer pages: remembers an explicit audience, supplies a missing one.

    A middleware rather than code in the page functions so that every answer page and its
    Markdown/JSON twins get the same default without each having to know about cookies.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in ANSWER_PAGES:
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        chosen = _valid((query.get("audience") or [None])[-1])
        if chosen is None:
            remembered = _valid(Request(scope).cookies.get(COOKIE))
            if remembered is not None and "audience" not in query:
                extra = urlencode({"audience": remembered}).encode()
                old = scope.get("query_string", b"")
                scope = {**scope, "query_string": old + b"&" + extra if old else extra}
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status", 500) < 400:
                message["headers"] = [*message.get("headers", []), _set_cookie(chosen)]
            await send(message)

        await self.app(scope, receive, send_with_cookie)

"""Who is asking: API tokens for ``/api/v1``, signed session cookies and CSRF for the pages.

    ApiActor      ``Authorization: Bearer <token>`` (``medcite users token``); None = anonymous
    PageActor     the browser session cookie (:mod:`medcite.library.sessions`); None = anonymous
                  (a session ends on the server at sign-out, password change and disable)
    check_csrf    every form that writes carries the session's ``csrf_token`` hidden field

The API never reads the cookie and the pages never read the header, so a cross-site page can
neither ride a browser session into the JSON API nor post a form without the session's token.
:func:`install` maps :class:`~medcite.library.errors.LibraryError` onto the usual error JSON
(or page) with its ``http_status``; a browser that must sign in is sent to ``/login``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, cast
from urllib.parse import urlencode, urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from medcite.library.errors import (
    Conflict,
    DuplicateArticle,
    EvidenceMismatch,
    Forbidden,
    IllegalTransition,
    InvalidRequest,
    LibraryError,
    NotFound,
    Unauthenticated,
)
from medcite.library.workflow import Actor
from medcite.web.errors import error_response, wants_html

if TYPE_CHECKING:
    from medcite.library import Library
    from medcite.library.sessions import SessionSigner

COOKIE = "medcite_session"
ERROR_CODES: dict[type[LibraryError], str] = {
    Unauthenticated: "unauthenticated",
    Forbidden: "forbidden",
    NotFound: "not_found",
    EvidenceMismatch: "evidence_mismatch",  # before InvalidRequest, which it is
    InvalidRequest: "invalid_request",
    IllegalTransition: "illegal_transition",
    Conflict: "conflict",
}


def library_of(request: Request) -> Library:
    """The app's editorial library (opened with the engine, migrated on first use)."""
    return request.app.state.gate.call(lambda engine: engine.library)


def signer_of(request: Request) -> SessionSigner:
    state = request.app.state
    if getattr(state, "session_signer", None) is None:
        from medcite.library.sessions import SessionSigner

        state.session_signer = SessionSigner.for_settings(state.settings)
    return state.session_signer


def api_actor(request: Request) -> Actor | None:
    """The token's user; None without a header; Unauthenticated for a bad or unknown token."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("use the header 'Authorization: Bearer <token>'")
    return library_of(request).authenticate_token(token.strip())


def page_actor(request: Request) -> Actor | None:
    """The signed-in user of this browser, or None (no, expired or invalid cookie, disabled)."""
    if not hasattr(request.state, "actor"):
        cookie = request.cookies.get(COOKIE)
        try:
            actor = signer_of(request).actor(library_of(request), cookie) if cookie else None
        except (Unauthenticated, NotFound):
            actor = None
        request.state.actor = actor
    return request.state.actor


def required_api_actor(request: Request) -> Actor:
    """The token's user; Unauthenticated (401) without a token: for the API's writes.

    Routes that depend on it are authenticated before their input is validated (see
    :func:`install`)."""
    actor = api_actor(request)
    if actor is None:
        raise Unauthenticated("this needs an API token: 'Authorization: Bearer <token>'")
    return actor


ApiActor = Annotated[Actor | None, Depends(api_actor)]
RequiredApiActor = Annotated[Actor, Depends(required_api_actor)]
PageActor = Annotated[Actor | None, Depends(page_actor)]


def csrf_token(request: Request) -> str:
    """The token the current session's forms carry ('' when nobody is signed in)."""
    cookie = request.cookies.get(COOKIE)
    if not cookie or page_actor(request) is None:
        return ""
    return signer_of(request).csrf_token(cookie)


def check_csrf(request: Request, submitted: str | None) -> Actor:
    """The signed-in actor, if the form carries this session's CSRF token; else 401/403."""
    actor = page_actor(request)
    cookie = request.cookies.get(COOKIE)
    if actor is None or not cookie:
        raise Unauthenticated("sign in to do this")
    signer_of(request).check_csrf(cookie, submitted)
    return actor


def start_session(request: Request, response: Response, actor: Actor) -> None:
    """A new server-side session for ``actor``, its signed cookie set on ``response``."""
    settings = request.app.state.settings
    response.set_cookie(
        COOKIE,
        signer_of(request).issue(library_of(request), actor),
        max_age=settings.library.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.library.secure_cookies,
    )


def end_session(request: Request, response: Response) -> None:
    """Sign out: end the session on the server (so a copied cookie is refused too) and
    delete the browser's cookie."""
    cookie = request.cookies.get(COOKIE)
    if cookie:
        try:
            signer_of(request).end(library_of(request), cookie)
        except Unauthenticated:
            pass  # an invalid or expired cookie names no session to end
    response.delete_cookie(
        COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.library.secure_cookies,
    )


def account(request: Request) -> dict[str, Any]:
    """For templates: the signed-in actor and the CSRF token of their forms."""
    return {"actor": page_actor(request), "csrf": csrf_token(request)}


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never ``//host`` or a URL)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/review"


def install(app: FastAPI) -> None:
    """Translate library errors to responses; give templates :func:`account`; answer invalid
    input to a route that needs a token with 401 first when the caller has no valid one."""

    async def on_library_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LibraryError)
        status = exc.http_status
        if status == 401 and wants_html(request):
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            nxt = here if request.method == "GET" else request.headers.get("referer", "")
            query = urlencode({"next": safe_next(_path_of(nxt))})
            return RedirectResponse(f"/login?{query}", status_code=303)
        code = next((c for kind, c in ERROR_CODES.items() if isinstance(exc, kind)), "error")
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, DuplicateArticle):
            return _existing_article(request, exc)
        fields = (
            {"reference": exc.n, "passage_id": exc.passage_id}
            if isinstance(exc, EvidenceMismatch)
            else None
        )
        return error_response(request, status, code, str(exc), headers, fields=fields)

    validation_error = cast(
        Callable[[Request, Exception], Awaitable[Response]],
        app.exception_handlers[RequestValidationError],
    )

    async def authenticate_first(request: Request, exc: Exception) -> Response:
        if _needs_token(request):
            try:
                await run_in_threadpool(required_api_actor, request)
            except LibraryError as refused:
                return await on_library_error(request, refused)
        return await validation_error(request, exc)

    app.add_exception_handler(LibraryError, on_library_error)
    app.add_exception_handler(RequestValidationError, authenticate_first)
    app.state.templates.env.globals["account"] = account


def _existing_article(request: Request, exc: DuplicateArticle) -> Response:
    """409 naming the article that already answers the question: its review page for a
    browser, its API resource (``article_url``) and state for a client."""
    page = wants_html(request)
    url = f"/review/{exc.article_id}" if page else f"/api/v1/articles/{exc.article_id}"
    return error_response(
        request,
        exc.http_status,
        "conflict",
        str(exc),
        fields={"article_id": exc.article_id, "article_url": url, "state": exc.state},
        link=(url, f"Open article {exc.article_id} ({exc.state})"),
    )


def _needs_token(request: Request) -> bool:
    route = request.scope.get("route")
    return isinstance(route, APIRoute) and any(
        dependency.call is required_api_actor for dependency in route.dependant.dependencies
    )


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")

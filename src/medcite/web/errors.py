"""Every error the web app returns: ``{"error": {"code", "message"}}`` JSON, or an HTML page.

The API, ``.json``/``.md`` twins and any client that does not ask for HTML get JSON; a browser
on a page gets the same message as a page with a search box. Statuses: 400 bad question,
404 unknown page/document/passage, 413 body too large (or too many statements to verify),
422 invalid parameters, 429 rate limited, 503 index not ready, server busy, deadline exceeded
or an unexpected internal error (``Retry-After`` where waiting helps). Never a stack trace,
and never a path on the server: messages name the data directory ``<home>`` instead.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from medcite.config import Settings
from medcite.errors import CorruptData, DataNotFound, IndexNotReady, MedciteError, QuestionError
from medcite.web.work import Overloaded

log = logging.getLogger("medcite.web")
# A damaged file's error names it and the repair, both for the server's administrator.
DAMAGED_MESSAGE = (
    "a data file of this server is damaged; the server log says which and how to fix it"
)

STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    422: "invalid_parameters",
    429: "rate_limited",
    503: "unavailable",
}


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith((".json", ".md")) or path == "/openapi.json":
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
    *,
    fields: Mapping[str, Any] | None = None,
    link: tuple[str, str] | None = None,
) -> Response:
    """The error as JSON, or as an HTML page when a browser asked for a page.

    ``fields`` are added to the JSON error object; ``link`` (url, text) is shown on the page.
    """
    templates = getattr(request.app.state, "templates", None) if "app" in request.scope else None
    if templates is not None and wants_html(request):
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "code": code, "message": message, "link": link},
            status_code=status,
            headers=dict(headers or {}),
        )
    return JSONResponse(
        {"error": {"code": code, "message": message, **(fields or {})}},
        status_code=status,
        headers=headers,
    )


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        problems.append(f"{where or 'request'}: {error.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(problems)


def medcite_error_status(exc: MedciteError) -> tuple[int, str]:
    """The HTTP status and error code of one of medcite's own exceptions."""
    if isinstance(exc, QuestionError):
        return 400, "bad_question"
    if isinstance(exc, DataNotFound):
        return 404, "not_found"
    if isinstance(exc, IndexNotReady):
        return 503, "index_not_ready"
    if isinstance(exc, CorruptData):
        return 503, "data_damaged"
    return 400, "bad_request"


def public_message(request: Request, message: str) -> str:
    """``message`` with the server's own directories replaced by ``<home>``/``<data>``."""
    settings = getattr(request.app.state, "settings", None) if "app" in request.scope else None
    if settings is None:
        return message
    for path, name in _server_paths(settings):
        message = message.replace(path, name)
    return message


def _server_paths(settings: Settings) -> list[tuple[str, str]]:
    """Where this server keeps data, longest first (so the most precise name wins)."""
    named = {settings.home: "<home>"}
    if settings.demo_data is not None:
        named[settings.demo_data] = "<data>"
    found: list[tuple[str, str]] = []
    for path, name in named.items():
        found += [(str(path), name), (str(Path(path).resolve()), name)]
    return sorted(set(found), key=lambda pair: -len(pair[0]))


def install_error_handlers(app: FastAPI) -> None:
    """Map medcite's exceptions and FastAPI's own errors onto :func:`error_response`."""

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(request, 422, "invalid_parameters", _validation_message(exc))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        return error_response(request, exc.status_code, code, message, exc.headers)

    async def on_medcite(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, MedciteError)
        status, code = medcite_error_status(exc)
        if isinstance(exc, CorruptData):
            log.error("%s", exc)
            return error_response(request, status, code, DAMAGED_MESSAGE)
        return error_response(request, status, code, public_message(request, str(exc)))

    async def on_overloaded(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Overloaded)
        headers = {"Retry-After": str(exc.retry_after)}
        return error_response(request, 503, exc.code, str(exc), headers)

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(MedciteError, on_medcite)
    app.add_exception_handler(Overloaded, on_overloaded)

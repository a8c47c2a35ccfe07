"""One rule for every piece of text a request brings, checked before any endpoint runs.

Refused, with 422 and a message naming the field: NUL, the other C0 control characters
except tab, line feed and carriage return, and lone surrogates (``"\\ud800"`` in JSON), which
are not Unicode text at all. They reach nothing a reader could want, and they break what
lies behind the endpoints (PostgreSQL refuses NUL in text; hashing and encoding refuse
surrogates). C1 characters pass: real corpus text has them (cp1252 quotes read as Latin-1),
and answer JSON quoting that text must round-trip.

:func:`check_text_input` is an app-wide dependency (see :func:`medcite.web.app.create_app`),
so it covers path and query parameters, form fields and every string in a JSON body —
keys and nested values too — of every route, including routes added later.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def text_problem(text: str) -> str | None:
    """Why ``text`` is refused, or None when it is fine."""
    found = _REFUSED.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if code == 0:
        what = "a NUL character"
    elif code < 0x20:
        what = f"the control character U+{code:04X}"
    else:
        what = f"a lone surrogate U+{code:04X} (not valid Unicode)"
    return f"text must not contain {what} (at character {found.start() + 1})"


async def check_text_input(request: Request) -> None:
    """Raise a 422 validation error if any text of the request breaks the rule."""
    errors = [
        {"type": "text", "loc": _printable(loc), "msg": problem, "input": None}
        for loc, value in [*_parameters(request), *await _body_strings(request)]
        if (problem := text_problem(value)) is not None
    ]
    if errors:
        raise RequestValidationError(errors)


def _printable(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The location, fit for a message even when a refused string is a name in it."""
    return tuple(_REFUSED.sub("?", part) if isinstance(part, str) else part for part in loc)


def _parameters(request: Request) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for name, value in request.path_params.items():
        if isinstance(value, str):
            yield ("path", name), value
    for name, value in request.query_params.multi_items():
        yield ("query", name), name
        yield ("query", name), value


async def _body_strings(request: Request) -> list[tuple[tuple[str | int, ...], str]]:
    if request.method not in _BODY_METHODS:
        return []
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind.startswith(_FORMS):
        form = await request.form()  # parsed once: FastAPI reuses it
        return [
            (("form", name), value) for name, value in form.multi_items() if isinstance(value, str)
        ]
    if kind == "application/json" or kind.endswith("+json"):
        try:
            body = await request.json()  # parsed once: FastAPI reuses it
        except (json.JSONDecodeError, UnicodeDecodeError):
            return []  # FastAPI answers malformed JSON with its own 422
        return list(_strings(body, ("body",)))
    return []


def _strings(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield (*loc, key), key
            yield from _strings(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*loc, index))

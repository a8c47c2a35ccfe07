"""The editorial library: articles a medical advisory board reviews, approves and keeps current.

    with Library(settings) as library:
        editor = library.login("ed", "a long password")
        draft = library.create_draft(editor, answer=engine.answer(question, live=True).to_dict())
        library.transition(editor, draft.id, "submitted", version=draft.version)

Needs the ``library`` extra (alembic, argon2-cffi). See :mod:`medcite.library.service`.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for type checkers
    from medcite.library.errors import (
        Conflict,
        Forbidden,
        IllegalTransition,
        ImportRejected,
        InvalidRequest,
        LibraryError,
        NotFound,
        Unauthenticated,
    )
    from medcite.library.service import Library
    from medcite.library.workflow import Actor, Role, Status

_ERRORS = (
    "Conflict",
    "Forbidden",
    "IllegalTransition",
    "ImportRejected",
    "InvalidRequest",
    "LibraryError",
    "NotFound",
    "Unauthenticated",
)
_EXPORTS = {
    **dict.fromkeys(_ERRORS, "medcite.library.errors"),
    "Library": "medcite.library.service",
    **dict.fromkeys(("Actor", "Role", "Status"), "medcite.library.workflow"),
}

__all__ = [
    "Actor",
    "Conflict",
    "Forbidden",
    "IllegalTransition",
    "ImportRejected",
    "InvalidRequest",
    "Library",
    "LibraryError",
    "NotFound",
    "Role",
    "Status",
    "Unauthenticated",
]


def __getattr__(name: str) -> Any:
    """The names above, loaded on first use (the service pulls in SQLAlchemy's ORM)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'medcite.library' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)

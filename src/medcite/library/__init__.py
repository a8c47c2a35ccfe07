"""The editorial library: articles a medical advisory board reviews, approves and keeps current.

    with Library(settings) as library:
        editor = library.login("ed", "a long password")
        draft = library.create_draft(editor, answer=engine.answer(question, live=True).to_dict())
        library.transition(editor, draft.id, "submitted", version=draft.version)

Needs the ``library`` extra (alembic, argon2-cffi). See :mod:`medcite.library.service`.
"""

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

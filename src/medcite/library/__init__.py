"""The editorial library: articles a medical advisory board reviews, approves and keeps current.

    with Library(settings) as library:
        editor = library.login("ed", "a long password")
        draft = library.create_draft(editor, answer=engine.answer(question, live=True).to_dict())
        library.transition(editor, draft.id, "submitted", version=draft.version)

Needs the ``library`` extra (alembic, argon2-cffi). See :mod:`medcite.library.service`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medcite.lazy_imports import lazy_exports

if TYPE_CHECKING:
    from medcite.library.errors import (
        Conflict,
        DuplicateArticle,
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
    "DuplicateArticle",
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


# Imported on first use: asking whether a library is in use (`medcite.library.db`) must not
# load the whole library (ORM schema, workflow, migrations) into every `medcite ask`.
__getattr__ = lazy_exports(
    __name__,
    {
        "Actor": "medcite.library.workflow",
        "Conflict": "medcite.library.errors",
        "DuplicateArticle": "medcite.library.errors",
        "Forbidden": "medcite.library.errors",
        "IllegalTransition": "medcite.library.errors",
        "ImportRejected": "medcite.library.errors",
        "InvalidRequest": "medcite.library.errors",
        "Library": "medcite.library.service",
        "LibraryError": "medcite.library.errors",
        "NotFound": "medcite.library.errors",
        "Role": "medcite.library.workflow",
        "Status": "medcite.library.workflow",
        "Unauthenticated": "medcite.library.errors",
    },
)

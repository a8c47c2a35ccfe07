"""Exceptions medcite raises on purpose, each with a message fit to show a user.

MedciteError
├── QuestionError        the question is empty or too long
├── IngestError          nothing could be ingested from the paths given
├── DataNotFound         a document, a passage or the demo data folder is missing
├── IndexNotReady        the search index has not been built yet
└── CorruptData          a database, index or manifest file is damaged (names it and the fix)
"""

from __future__ import annotations


class MedciteError(Exception):
    """Base class: ``str(error)`` is a complete, user-facing explanation."""


class QuestionError(MedciteError, ValueError):
    pass


class IngestError(MedciteError):
    pass


class DataNotFound(MedciteError):
    pass


class IndexNotReady(MedciteError):
    pass


class CorruptData(MedciteError):
    pass

"""Errors of the editorial library; each carries the HTTP status the web layer answers with.

MedciteError
└── LibraryError                 http_status
    ├── Unauthenticated          401  no valid user (anonymous, bad password/token, disabled)
    ├── Forbidden                403  the user's role may not do this
    ├── NotFound                 404  no such article/version/user (or not visible to the reader)
    ├── InvalidRequest           422  malformed input (unknown state, bad answer JSON, ...)
    │   └── EvidenceMismatch     422  a cited passage, quote or URL is not the corpus's (named)
    ├── IllegalTransition        409  the workflow does not allow this move from the current state
    ├── Conflict                 409  someone else changed the article since the actor looked
    │   ├── DuplicateArticle     409  an article already answers the question for the audience
    │   └── EvidenceChanged      409  approval: a cited passage changed in (or left) the corpus
    └── ImportRejected           422  an export file cannot be imported (record named)

The web layer only translates: ``JSONResponse({"error": str(exc)}, exc.http_status)``.
"""

from __future__ import annotations

from medcite.errors import MedciteError


class LibraryError(MedciteError):
    http_status = 400


class Unauthenticated(LibraryError):
    http_status = 401


class Forbidden(LibraryError):
    http_status = 403


class NotFound(LibraryError):
    http_status = 404


class InvalidRequest(LibraryError, ValueError):
    http_status = 422


class EvidenceMismatch(InvalidRequest):
    """An answer whose reference ``n`` is not what the corpus holds for ``passage_id``."""

    def __init__(self, n: object, passage_id: object, problem: str) -> None:
        super().__init__(f"reference [{n}], passage {passage_id}: {problem}")
        self.n = n
        self.passage_id = passage_id


class IllegalTransition(LibraryError):
    http_status = 409


class Conflict(LibraryError):
    http_status = 409


class DuplicateArticle(Conflict):
    """A second draft for a question (and audience) that has an article: names that one."""

    def __init__(self, article_id: int, slug: str, state: str, audience: str) -> None:
        super().__init__(
            f"article {article_id} ({slug}, {state}) already answers this question for "
            f"{audience}; add a version to it"
        )
        self.article_id = article_id
        self.slug = slug
        self.state = state


class EvidenceChanged(Conflict):
    """Approval refused: cited passages changed in or left the corpus since the version."""


class ImportRejected(LibraryError):
    http_status = 422

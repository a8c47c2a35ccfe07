"""The editorial library's JSON API under ``/api/v1`` (one function per endpoint).

Writes need ``Authorization: Bearer <token>`` of a user with the right role (``medcite users
token``); anonymous calls get 401 — before their body is validated, so that the API tells
nothing to callers who may not use it — the wrong role 403, a stale ``version``/
``lock_version`` 409 (see :mod:`medcite.web.auth` for the error translation). Readers may
list and read approved articles without a token.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from medcite.config import Audience
from medcite.web.api import AnswerJson, _errors
from medcite.web.auth import ApiActor, RequiredApiActor, library_of
from medcite.web.deps import EngineGate, GateDep, PoolDep
from medcite.web.openapi import QUESTION_SCHEMA, required_one_of

if TYPE_CHECKING:
    from medcite.library import Actor
    from medcite.library.queries import ArticleView
    from medcite.service import Engine

router = APIRouter(prefix="/api/v1", tags=["library"], responses=_errors(401, 403, 404, 422, 503))

ArticleId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The article's id.")]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="Page, from 1.")]
Status = Literal["draft", "submitted", "under_review", "approved", "changes_requested", "retracted"]


class DraftRequest(BaseModel):
    # An answer, or a question to answer live (with both, the answer is kept).
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=lambda schema: required_one_of(
            schema, ("answer", "question"), exactly=False
        ),
    )

    question: str | None = Field(
        None,
        max_length=2000,
        description="Compose a live answer to this question as the draft.",
        json_schema_extra=QUESTION_SCHEMA,
    )
    audience: Audience = Field("clinician", description="Who the answer is written for.")
    answer: AnswerJson | None = Field(
        None, description="An answer JSON (e.g. from POST /api/v1/answers) to save instead."
    )
    topic: str | None = Field(None, max_length=200, description="Library topic for filtering.")


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Status = Field(description="The review status to move the article to.")
    version: int = Field(ge=1, le=2**31 - 1, description="The version number you reviewed.")
    comment: str = Field("", max_length=10_000, description="Why (kept in the review history).")
    lock_version: int | None = Field(
        None, ge=0, le=2**31 - 1, description="The article's lock_version you saw (optional)."
    )


def create_draft(
    gate: EngineGate,
    actor: Actor | None,
    *,
    question: str | None = None,
    audience: str = "clinician",
    answer: dict[str, Any] | None = None,
    topic: str | None = None,
) -> ArticleView:
    """A draft article from ``answer``, else from ``question`` answered live: one engine
    call (its library checks the role before anything is composed)."""

    def run(engine: Engine) -> ArticleView:
        def compose(text: str, reader: str) -> dict[str, Any]:
            return engine.answer(text, audience=reader, live=True).to_dict()

        return engine.library.create_draft(
            actor, answer=answer, question=question, audience=audience, compose=compose, topic=topic
        )

    return gate.call(run)


@router.post(
    "/articles",
    summary="Create a draft article (editors)",
    status_code=201,
    responses=_errors(400, 409, 413),
)
async def create_article(
    body: DraftRequest, gate: GateDep, pool: PoolDep, actor: RequiredApiActor
) -> JSONResponse:
    """A draft from ``{"answer": ...}``, or from ``{"question", "audience"}`` answered live."""

    def create() -> dict[str, Any]:
        draft = create_draft(
            gate,
            actor,
            answer=body.answer.as_given() if body.answer else None,
            question=body.question,
            audience=body.audience,
            topic=body.topic,
        )
        return draft.to_dict()

    return JSONResponse(await pool.run(create), status_code=201)


@router.get("/articles", summary="List library articles")
def list_articles(
    request: Request,
    actor: ApiActor,
    search: Annotated[str | None, Query(max_length=500, description="Words in title/text.")] = None,
    topic: Annotated[str | None, Query(max_length=200)] = None,
    audience: Audience | None = None,
    status: Annotated[Status | None, Query(description="Review status (staff).")] = None,
    reviewed_since: Annotated[date | None, Query(description="Approved on or after.")] = None,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> JSONResponse:
    """Approved articles (staff also see other statuses), newest review first, paginated."""
    found = library_of(request).articles(
        actor,
        search=search,
        topic=topic,
        audience=audience,
        status=status,
        reviewed_since=start_of(reviewed_since),
        page=page,
        per_page=per_page,
    )
    return JSONResponse(found.to_dict())


@router.get("/articles/{article_id}", summary="An article with its answer")
def get_article(article_id: ArticleId, request: Request, actor: ApiActor) -> JSONResponse:
    """Readers get the approved version; staff the current one, its versions and events."""
    return JSONResponse(library_of(request).article(actor, article_id).to_dict())


@router.post(
    "/articles/{article_id}/transitions",
    summary="Move an article through review",
    responses=_errors(409, 413),
)
def transition(
    article_id: ArticleId, body: TransitionRequest, request: Request, actor: RequiredApiActor
) -> JSONResponse:
    """Submit (editors), start review / approve / request changes / retract (reviewers)."""
    moved = library_of(request).transition(
        actor,
        article_id,
        body.to,
        version=body.version,
        comment=body.comment,
        lock_version=body.lock_version,
    )
    return JSONResponse(moved.to_dict())


@router.get("/review-queue", summary="The review queue (staff)")
def review_queue(
    request: Request,
    actor: ApiActor,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 50,
) -> JSONResponse:
    """Submitted, under review and due-for-review articles, longest waiting first."""
    return JSONResponse(
        library_of(request).review_queue(actor, page=page, per_page=per_page).to_dict()
    )


def start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None

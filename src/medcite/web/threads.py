"""Follow-up conversations on the web: persistent threads with ids and URLs.

API (:data:`api`, JSON):
    POST /api/v1/threads                 {audience?, question?} → the thread (201)
    POST /api/v1/threads/{id}/answers    {question, audience?}  → the answer JSON + thread/turn
    GET  /api/v1/threads/{id}                                   → the thread with its turns

Pages (:data:`pages`, HTML; plain form posts that redirect, so they work without JavaScript):
    GET  /threads/{id}    the conversation: each turn's question, "Answering: …", answer
    POST /threads         start a thread from the answer page's follow-up box
                          (``history`` = the questions already on the page, ``q`` = the new one)
    POST /threads/{id}    continue it

With the header ``X-Medcite-Fragment: 1`` the page posts answer with only the new turn's
``_answer.html`` and the thread's URL in ``X-Medcite-Thread``; ``static/medcite.js`` appends it.
Answering endpoints share the answer endpoints' rate limit (``app.state.answer_bucket``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from medcite.config import Audience
from medcite.models import Answer
from medcite.reader.threads import Thread
from medcite.service import Engine, ThreadAnswer
from medcite.web.api import _errors
from medcite.web.audience import preferred_audience, remember_audience
from medcite.web.deps import GateDep, PoolDep, TemplatesDep
from medcite.web.openapi import QUESTION_SCHEMA
from medcite.web.pages import FRAGMENT_HEADER, answer_context, clean_history
from medcite.web.security import charge

THREAD_HEADER = "X-Medcite-Thread"
MAX_HISTORY = 20

ThreadId = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="The thread's id (from POST /api/v1/threads).",
    ),
]


def thread_url(thread_id: str) -> str:
    return f"/threads/{thread_id}"


def rate_limited(request: Request) -> None:
    """Refuse with 429 when this client has used up the answer endpoints' token bucket."""
    charge(request, request.app.state.answer_bucket, 1, "answers")


Answering = Depends(rate_limited)

api = APIRouter(prefix="/api/v1/threads", tags=["threads"], responses=_errors(422, 503))
pages = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


# --- API ---------------------------------------------------------------------------------


class ThreadCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    audience: Audience = Field("clinician", description="Who the thread's answers are for.")
    question: str | None = Field(
        None,
        description="If given, answered as the thread's first turn.",
        examples=[None],
        json_schema_extra=QUESTION_SCHEMA,
    )


class ThreadAnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        description="The next question; a follow-up is rewritten in the thread's context.",
        examples=["What about dosing?"],
        json_schema_extra=QUESTION_SCHEMA,
    )
    audience: Audience | None = Field(
        None, description="Who the answer is for (default: the thread's latest audience)."
    )


@api.post(
    "",
    summary="Start a conversation thread",
    status_code=201,
    responses=_errors(400, 413, 429),
    dependencies=[Answering],
)
async def create_thread(request: ThreadCreate, gate: GateDep, pool: PoolDep) -> JSONResponse:
    """A new thread (id, URL, turns); a ``question`` is answered as its first turn."""

    def run(engine: Engine) -> Thread:
        if request.question is None:
            return engine.threads.create(audience=request.audience)
        turn = engine.answer_in_thread(None, request.question, audience=request.audience)
        return engine.threads.get(turn.thread_id)

    return JSONResponse(thread_dict(await pool.run(gate.call, run)), status_code=201)


@api.post(
    "/{thread_id}/answers",
    summary="Ask the next question of a thread",
    responses=_errors(400, 404, 413, 429),
    response_description="The answer JSON (answer.schema.json) plus `thread_id`, `turn`.",
    dependencies=[Answering],
)
async def answer_in_thread(
    thread_id: ThreadId, request: ThreadAnswerRequest, gate: GateDep, pool: PoolDep
) -> JSONResponse:
    """Answer ``question`` in the thread's context; ``answering`` says what was answered."""
    turn = await pool.run(
        gate.call,
        lambda engine: engine.answer_in_thread(
            thread_id, request.question, audience=request.audience
        ),
    )
    thread = {
        "thread_id": thread_id,
        "turn": len(turn.earlier) + 1,
        "thread_url": thread_url(thread_id),
    }
    return JSONResponse({**turn.answer.to_dict(), **thread})


@api.get("/{thread_id}", summary="A thread with its turns", responses=_errors(404))
def get_thread(thread_id: ThreadId, gate: GateDep) -> dict[str, Any]:
    """The thread: id, URL, audience and its turns (question, answering, answer JSON)."""
    return thread_dict(gate.call(lambda engine: engine.threads.get(thread_id)))


def thread_dict(thread: Thread) -> dict[str, Any]:
    return {**thread.to_dict(), "url": thread_url(thread.thread_id)}


# --- Pages -------------------------------------------------------------------------------


@pages.get("/threads/{thread_id}")
def thread_page(
    request: Request, thread_id: ThreadId, gate: GateDep, templates: TemplatesDep
) -> Response:
    thread = gate.call(lambda engine: engine.threads.get(thread_id))
    turns = [
        answer_context(Answer.from_dict(turn.answer), thread.questions[: turn.ordinal - 1])
        for turn in thread.turns
        if turn.answer is not None
    ]
    audience = thread.latest_audience if thread.turns else preferred_audience(request)
    context = {
        "thread": thread,
        "turns": turns,
        "audience": audience,
        "url": thread_url(thread.thread_id),
        "json_url": f"/api/v1/threads/{thread.thread_id}",
    }
    return templates.TemplateResponse(request, "thread.html", context)


@pages.post("/threads", dependencies=[Answering])
async def start_thread_page(
    request: Request,
    gate: GateDep,
    pool: PoolDep,
    templates: TemplatesDep,
    q: Annotated[str, Form(max_length=2000)],
    audience: Annotated[Audience, Form()] = "clinician",
    history: Annotated[list[str], Form(max_length=MAX_HISTORY)] = [],  # noqa: B006
) -> Response:
    """The answer page's follow-up box: a thread holding the page's questions, then ``q``."""

    earlier = clean_history(history)
    turn = await pool.run(
        gate.call,
        lambda engine: engine.answer_in_thread(None, q, audience=audience, earlier=earlier),
    )
    return _turn_response(request, templates, turn)


@pages.post("/threads/{thread_id}", dependencies=[Answering])
async def continue_thread_page(
    request: Request,
    thread_id: ThreadId,
    gate: GateDep,
    pool: PoolDep,
    templates: TemplatesDep,
    q: Annotated[str, Form(max_length=2000)],
    audience: Annotated[Audience | None, Form()] = None,
) -> Response:
    turn = await pool.run(
        gate.call, lambda engine: engine.answer_in_thread(thread_id, q, audience=audience)
    )
    return _turn_response(request, templates, turn)


def _turn_response(request: Request, templates: Any, turn: ThreadAnswer) -> Response:
    """The new turn as a fragment (JavaScript), else a redirect to it on the thread page."""
    url = thread_url(turn.thread_id)
    response: Response
    if request.headers.get(FRAGMENT_HEADER) == "1":
        context = answer_context(turn.answer, turn.earlier)
        response = templates.TemplateResponse(request, "_answer.html", context)
        response.headers[THREAD_HEADER] = url
    else:
        response = RedirectResponse(f"{url}#a{len(turn.earlier)}", status_code=303)
    remember_audience(response, turn.answer.audience)
    return response

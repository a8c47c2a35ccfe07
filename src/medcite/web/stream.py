"""Answers as server-sent events: ``GET /api/v1/answers/stream`` (``text/event-stream``).

Events: ``delta`` (``{"text"}``, the LLM's draft as it is written, not yet verified),
``fallback`` (``{"reason"}``), last ``answer`` (the verified answer JSON), or ``error``
(``{"error": {"code", "message"}}``) when something fails after the stream started. A bad
question is refused before streaming, as the usual JSON 400. Without an LLM configured the
stream is one ``answer`` event from the extractive composer.

The engine runs in a worker of the app's :class:`~medcite.web.work.WorkPool` for the whole
answer (a full pool refuses the stream with 503 before it starts) and stops between events
once the client has gone.
The last streamed answers are kept for a minute so that the page the script loads next
(``/ask`` for the same question) shows that verified answer instead of composing it again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse

from medcite.errors import MedciteError
from medcite.models import Answer
from medcite.service import Engine
from medcite.web.api import _errors
from medcite.web.deps import EngineGate, GateDep, PoolDep
from medcite.web.errors import medcite_error_status
from medcite.web.pages import AudienceParam, History, Question, clean_history
from medcite.web.recent import RecentAnswers
from medcite.web.work import WorkPool

log = logging.getLogger("medcite.web")

STREAM_PATH = "/api/v1/answers/stream"
router = APIRouter(prefix="/api/v1", tags=["api"])


def install(app: FastAPI) -> None:
    """Serve :data:`STREAM_PATH` and keep the app's :class:`RecentAnswers`."""
    app.state.recent_answers = RecentAnswers()
    app.include_router(router)


@router.get(
    "/answers/stream",
    summary="Answer a question as server-sent events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **_errors(400, 429, 503)},
)
async def stream_answer(
    request: Request,
    gate: GateDep,
    pool: PoolDep,
    q: Question,
    audience: AudienceParam = "clinician",
    history: History = [],  # noqa: B006 - FastAPI copies query defaults
) -> StreamingResponse:
    """``delta`` events while the LLM writes, then the verified ``answer`` (see the module)."""
    earlier = clean_history(history)
    producer = _Producer(gate, q, audience, earlier, request.app.state.recent_answers)
    producer.start(pool)
    first = await producer.next()
    if isinstance(first, BaseException):  # refused before streaming: the normal JSON error
        raise first
    return StreamingResponse(
        _sse(producer),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


_READY = object()  # the question was accepted; events follow
_DONE = object()


class _Producer:
    """Runs the engine in a pool worker; ``next()`` awaits its items (events or an exception)."""

    def __init__(
        self,
        gate: EngineGate,
        question: str,
        audience: str,
        history: list[str],
        recent: RecentAnswers,
    ) -> None:
        self.gate, self.question, self.audience, self.history = gate, question, audience, history
        self.recent = recent
        self.stopped = threading.Event()
        self._loop = asyncio.get_running_loop()
        self._items: asyncio.Queue[Any] = asyncio.Queue()

    def start(self, pool: WorkPool) -> None:
        pool.submit(self._run)  # Overloaded (503) when the pool is full

    async def next(self) -> Any:
        return await self._items.get()

    def _put(self, item: Any) -> None:
        try:
            self._loop.call_soon_threadsafe(self._items.put_nowait, item)
        except RuntimeError:  # the server's loop is gone: nobody is listening
            self.stopped.set()

    def _run(self) -> None:
        try:
            self.gate.call(self._answer)
        except Exception as exc:  # delivered to the client as a 400 JSON or an error event
            self._put(exc)
        self._put(_DONE)

    def _answer(self, engine: Engine) -> None:
        # The approved answer (one event), else composed: by the LLM when one is configured.
        events = engine.answer_events(self.question, audience=self.audience, history=self.history)
        self._put(_READY)
        for event in events:
            if event["type"] == "answer":
                self._finish(event["answer"])
            else:
                self._put(event)
            if self.stopped.is_set():
                return

    def _finish(self, answer: Answer) -> None:
        self.recent.put((self.question, self.audience, tuple(self.history)), answer)
        self._put({"type": "answer", "answer": answer})


async def _sse(producer: _Producer) -> AsyncIterator[str]:
    try:
        while (item := await producer.next()) is not _DONE:
            yield "".join(_encode(item))
    finally:
        producer.stopped.set()


def _encode(item: Any) -> Iterator[str]:
    if isinstance(item, BaseException):
        kind, data = "error", {"error": _error_detail(item)}
    else:
        kind = item["type"]
        data = (
            item["answer"].to_dict()
            if kind == "answer"
            else {k: v for k, v in item.items() if k != "type"}
        )
    yield f"event: {kind}\n"
    yield f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def _error_detail(exc: BaseException) -> dict[str, str]:
    if isinstance(exc, MedciteError):
        return {"code": medcite_error_status(exc)[1], "message": str(exc)}
    log.error("unexpected error while streaming an answer", exc_info=exc)
    return {
        "code": "internal_error",
        "message": "medcite could not finish this answer because of an internal error "
        "(it has been logged); please try again",
    }

"""The JSON API under ``/api/v1`` (OpenAPI at ``/openapi.json``), plus ``/healthz``.

Each endpoint is one function on :data:`router` calling the :class:`~medcite.service.Engine`
through the app's :class:`~medcite.web.deps.EngineGate`; adding an endpoint is adding a
function. Answers and verifications run in the app's :class:`~medcite.web.work.WorkPool`
(503 ``busy`` when it is full); reads and searches run at once, beside them.
Errors are ``{"error": {"code", "message"}}`` (see :mod:`medcite.web.errors`).
"""

from __future__ import annotations

import json
import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator

from medcite.config import Audience, WebSettings
from medcite.models import Document, Passage
from medcite.service import Engine
from medcite.verify.parse import parse_answer
from medcite.web.deps import GateDep, PoolDep, VerifyPoolDep
from medcite.web.health import readiness
from medcite.web.openapi import QUESTION_SCHEMA, required_one_of
from medcite.web.pages import answer_for
from medcite.web.security import charge


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. bad_question, not_found.")
    message: str = Field(description="What went wrong, fit to show a user.")


class ErrorBody(BaseModel):
    error: ErrorDetail


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorBody} for status in statuses}


router = APIRouter(prefix="/api/v1", tags=["api"], responses=_errors(422, 503))
# 400: well-formed input that carries nothing to work on, which no schema can say (a question
# of only white space, a text without statements); 413: a body over web.max_request_bytes.
health = APIRouter(tags=["health"])


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        description="The clinical question.",
        examples=["How is gout treated?"],
        json_schema_extra=QUESTION_SCHEMA,
    )
    audience: Audience = Field("clinician", description="Who the answer is written for.")
    history: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Earlier questions of the conversation, oldest first (for follow-ups).",
    )


@router.post(
    "/answers",
    summary="Answer a question",
    responses=_errors(400, 413, 429),
    response_description="The answer JSON (shared/contracts/answer.schema.json).",
)
async def create_answer(request: AnswerRequest, gate: GateDep, pool: PoolDep) -> JSONResponse:
    """A structured answer whose statements cite numbered passages from the corpus: the
    approved article's stored answer when the advisory board approved one, else a live one."""
    answer = await pool.run(answer_for, gate, request.question, request.audience, request.history)
    # Already plain JSON types: skip FastAPI's re-validation of a large nested dict.
    return JSONResponse(answer.to_dict())


class StatementJson(BaseModel):
    model_config = ConfigDict(extra="allow")

    text: str
    citations: list[Annotated[int, Field(ge=1, le=10_000)]] = Field(default_factory=list)


class SectionJson(BaseModel):
    model_config = ConfigDict(extra="allow")

    title: str = ""
    statements: list[StatementJson]


class ReferenceJson(BaseModel):
    model_config = ConfigDict(extra="allow")

    n: int = Field(ge=1, le=10_000)
    passage_id: str
    doc_id: str
    text: str = Field(description="The cited passage's text.")


class AnswerJson(BaseModel):
    """What checking or storing an answer JSON (answer.schema.json) reads of it; any other
    member it carries is kept as given."""

    model_config = ConfigDict(extra="allow")

    question: str = Field(json_schema_extra=QUESTION_SCHEMA)
    audience: Audience
    bottom_line: StatementJson
    sections: list[SectionJson]
    references: list[ReferenceJson]

    def as_given(self) -> dict[str, Any]:
        """The answer JSON as sent (no defaults filled in)."""
        return self.model_dump(mode="json", exclude_unset=True)


class VerifyRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=lambda schema: required_one_of(schema, ("text", "answer"), exactly=True),
    )

    text: str | None = Field(
        None,
        description="An answer written elsewhere: Markdown or plain text whose statements end "
        "in citation numbers with a numbered reference list, uncited text, or JSONL statements.",
        examples=[
            "Ocrelizumab is the only approved therapy for primary progressive MS [1].\n\n"
            "1. Ocrelizumab versus placebo in primary progressive multiple sclerosis."
        ],
    )
    answer: AnswerJson | None = Field(
        None, description="A medcite answer JSON (shared/contracts/answer.schema.json)."
    )
    format: Literal["auto", "json", "jsonl", "markdown", "text"] = Field(
        "auto", description="How to read `text`; `answer` is always JSON."
    )

    @model_validator(mode="after")
    def _one_input(self) -> VerifyRequest:
        if (self.text is None) == (self.answer is None):
            raise ValueError("give exactly one of `text` or `answer`")
        return self


@router.post(
    "/verify",
    summary="Check an answer against the corpus",
    responses=_errors(400, 413, 429),
    response_description="Per statement: label, best evidence and reasons; conflicts.",
)
async def verify(
    body: VerifyRequest, request: Request, gate: GateDep, pool: VerifyPoolDep
) -> JSONResponse:
    """Label each statement supported / partial / unsupported / contradicted (heuristic).

    At most ``web.verify_max_statements`` statements per request (413 above); a request
    costs one answer token per ``web.verify_statements_per_token`` statements."""
    if body.answer is not None:
        text, fmt = json.dumps(body.answer.as_given()), "json"
    else:
        text, fmt = body.text or "", body.format

    def run(engine: Engine) -> dict[str, Any]:
        statements = len(parse_answer(text, fmt).statements)
        _charge_statements(request, gate.settings.web, statements)
        return engine.verify_text(text, fmt=fmt)

    return JSONResponse(await pool.run(gate.call, run))


def _charge_statements(request: Request, web: WebSettings, statements: int) -> None:
    """Refuse a verification over the statement cap (413); charge the rest of its cost."""
    cap = web.verify_max_statements
    if statements > cap:
        raise HTTPException(
            413,
            f"the text has {statements:,} statements; one request may verify at most {cap:,} "
            "(split it, or raise MEDCITE_WEB__VERIFY_MAX_STATEMENTS)",
        )
    cost = math.ceil(statements / web.verify_statements_per_token)
    # The rate limit took one token when the request arrived.
    charge(request, request.app.state.answer_bucket, cost - 1, "answers")


@router.get("/search", summary="Search passages", responses=_errors(400, 429))
def search(
    gate: GateDep,
    q: Annotated[str, Query(description="The query text.", json_schema_extra=QUESTION_SCHEMA)],
    k: Annotated[int, Query(ge=1, le=100, description="How many hits.")] = 10,
) -> dict[str, Any]:
    """Ranked passages with their documents' metadata."""

    def run(engine: Any) -> list[dict[str, Any]]:
        query = engine.check_question(q)
        return [hit.to_dict() for hit in engine.search(query, k=k)]

    return {"query": q, "hits": gate.call(run)}


@router.get("/documents/{doc_id:path}", summary="A stored document", responses=_errors(404))
def get_document(doc_id: str, gate: GateDep) -> dict[str, Any]:
    """A document exactly as ingested: full text and metadata."""
    return document_dict(gate.call(lambda engine: engine.document(doc_id)))


@router.get("/passages/{passage_id}", summary="A stored passage", responses=_errors(404))
def get_passage(passage_id: str, gate: GateDep) -> dict[str, Any]:
    """A passage exactly as ingested (``text == document.text[start:end]``) and its document."""
    passage, document = gate.call(lambda engine: engine.passage(passage_id))
    return passage_dict(passage, document)


@router.get("/status", summary="Corpus and index status")
def status(gate: GateDep) -> dict[str, Any]:
    """Document and passage counts by collection, the last ingest, the index manifest."""
    status = gate.call(lambda engine: engine.status())
    status.pop("home", None)  # a server path is nobody's business
    return status


@health.get("/healthz", summary="Liveness and readiness")
def healthz(gate: GateDep, request: Request) -> dict[str, Any]:
    """Always 200 while the server runs. ``ready`` is true when answers can be served: the
    corpus database reads, the index is open and holds passages, and the editorial library
    (when one is in use) reads; else ``problems`` says what is wrong. ``work``: per pool
    (answers, verifications, sign-ins) its workers and how many requests run or wait."""
    pools = request.app.state.pools
    return {"status": "ok", **readiness(gate), "work": {n: p.load() for n, p in pools.items()}}


def document_dict(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "collection": doc.collection,
        "title": doc.title,
        "source": doc.source,
        "year": doc.year,
        "url": doc.url,
        "evidence_level": doc.evidence_level.value,
        "publication_types": list(doc.publication_types),
        "mesh": list(doc.mesh),
        "sections": [{"label": s.label, "start": s.start, "end": s.end} for s in doc.sections],
        "metadata": doc.metadata,
        "text": doc.text,
    }


def passage_dict(passage: Passage, doc: Document) -> dict[str, Any]:
    summary = {key: document_dict(doc)[key] for key in ("doc_id", "title", "source", "year")}
    return {
        "passage_id": passage.passage_id,
        "doc_id": passage.doc_id,
        "ordinal": passage.ordinal,
        "start": passage.start,
        "end": passage.end,
        "section": passage.section,
        "text": passage.text,
        "document": {**summary, "url": doc.url, "evidence_level": doc.evidence_level.value},
    }

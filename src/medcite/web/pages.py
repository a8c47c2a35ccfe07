"""Server-rendered pages: home, the answer page and its Markdown/JSON twins, policy, about.

Everything works without JavaScript. ``static/medcite.js`` enhances the answer page: with the
header ``X-Medcite-Fragment: 1`` ``/ask`` returns only the answer (``_answer.html``), which
the script swaps in (audience switch) or appends (follow-up) without reloading the page.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from medcite.compose.markdown import currency_text, to_markdown
from medcite.config import Audience
from medcite.models import Answer
from medcite.web import view
from medcite.web.deps import EngineGate, GateDep, PoolDep, TemplatesDep
from medcite.web.openapi import QUESTION_SCHEMA
from medcite.web.recent import recent_answer

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

FRAGMENT_HEADER = "x-medcite-fragment"

Question = Annotated[str, Query(description="The question.", json_schema_extra=QUESTION_SCHEMA)]
AudienceParam = Annotated[Audience, Query(description="Who the answer is for.")]
History = Annotated[list[str], Query(max_length=20, description="Earlier questions, oldest first.")]


@router.get("/")
def home(request: Request, gate: GateDep, templates: TemplatesDep) -> Response:
    status = gate.call(lambda engine: engine.status())
    return templates.TemplateResponse(
        request, "home.html", {"status": status, "examples": gate.settings.web.example_questions}
    )


@router.get("/ask")
async def ask_page(
    request: Request,
    gate: GateDep,
    pool: PoolDep,
    templates: TemplatesDep,
    q: Question = "",
    audience: AudienceParam = "clinician",
    history: History = [],  # noqa: B006 - FastAPI copies query defaults
) -> Response:
    earlier = clean_history(history)
    answer = recent_answer(request, q, audience, earlier)  # just streamed to this page
    if answer is None:
        answer = await pool.run(answer_for, gate, q, audience, earlier)
    context = answer_context(answer, earlier)
    if request.headers.get(FRAGMENT_HEADER) == "1":
        response = templates.TemplateResponse(request, "_answer.html", context)
    else:
        response = templates.TemplateResponse(request, "ask.html", context)
    response.headers["Vary"] = "X-Medcite-Fragment"
    return response


@router.get("/ask.{fmt}")
async def ask_export(
    gate: GateDep,
    pool: PoolDep,
    fmt: Literal["md", "json"],
    q: Question = "",
    audience: AudienceParam = "clinician",
    history: History = [],  # noqa: B006
) -> Response:
    """The answer page's answer as Markdown (``/ask.md``) or as the answer JSON (``/ask.json``)."""
    answer = await pool.run(answer_for, gate, q, audience, clean_history(history))
    if fmt == "json":
        return JSONResponse(answer.to_dict())
    return PlainTextResponse(to_markdown(answer), media_type="text/markdown; charset=utf-8")


@router.get("/editorial-policy")
def editorial_policy(request: Request, templates: TemplatesDep) -> Response:
    return templates.TemplateResponse(request, "editorial_policy.html", {})


@router.get("/about")
def about(request: Request, gate: GateDep, templates: TemplatesDep) -> Response:
    status = gate.call(lambda engine: engine.status())
    return templates.TemplateResponse(request, "about.html", {"status": status})


@router.get("/docs")
def docs(request: Request, templates: TemplatesDep) -> Response:
    has_swagger = any(getattr(r, "name", None) == "swagger-ui" for r in request.app.routes)
    return templates.TemplateResponse(request, "docs.html", {"has_swagger": has_swagger})


def clean_history(history: list[str]) -> list[str]:
    return [text for text in (" ".join(h.split()) for h in history) if text]


def answer_for(gate: EngineGate, question: str, audience: str, history: list[str]) -> Answer:
    """The answer to serve (the approved article's, else live; see ``Engine.answer``)."""
    return gate.call(lambda engine: engine.answer(question, audience=audience, history=history))


def answer_context(answer: Answer, history: list[str]) -> dict[str, Any]:
    """What ``_answer.html`` renders: the answer JSON plus derived views."""
    data = answer.to_dict()
    question, audience = data["question"], data["audience"]
    return {
        "a": data,
        "aid": f"a{len(history)}",  # unique per answer in a conversation thread
        "refs": {ref["n"]: ref for ref in data["references"]},
        "review": view.review_view(data.get("review")),
        "currency": currency_text(data.get("evidence_currency") or {}),
        "history": history,
        "thread": view.thread_links(history, audience),
        "markdown_url": view.ask_url(question, audience, history, "/ask.md"),
        "json_url": view.ask_url(question, audience, history, "/ask.json"),
        "follow_up_history": [*history, question],
    }

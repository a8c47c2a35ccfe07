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
from medcite.web.approved import answer_dict
from medcite.web.deps import EngineGate, GateDep, TemplatesDep
from medcite.web.recent import recent_answer

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

FRAGMENT_HEADER = "x-medcite-fragment"

Question = Annotated[str, Query(description="The question.")]
AudienceParam = Annotated[Audience, Query(description="Who the answer is for.")]
History = Annotated[list[str], Query(max_length=20, description="Earlier questions, oldest first.")]


@router.get("/")
def home(request: Request, gate: GateDep, templates: TemplatesDep) -> Response:
    status = gate.call(lambda engine: engine.status())
    return templates.TemplateResponse(
        request, "home.html", {"status": status, "examples": gate.settings.web.example_questions}
    )


@router.get("/ask")
def ask_page(
    request: Request,
    gate: GateDep,
    templates: TemplatesDep,
    q: Question = "",
    audience: AudienceParam = "clinician",
    history: History = [],  # noqa: B006 - FastAPI copies query defaults
) -> Response:
    earlier = clean_history(history)
    answer = recent_answer(request, q, audience, earlier)  # just streamed to this page
    context = answer_context(answer or answer_dict(gate, q, audience, earlier), earlier)
    if request.headers.get(FRAGMENT_HEADER) == "1":
        response = templates.TemplateResponse(request, "_answer.html", context)
    else:
        response = templates.TemplateResponse(request, "ask.html", context)
    response.headers["Vary"] = "X-Medcite-Fragment"
    return response


@router.get("/ask.{fmt}")
def ask_export(
    gate: GateDep,
    fmt: Literal["md", "json"],
    q: Question = "",
    audience: AudienceParam = "clinician",
    history: History = [],  # noqa: B006
) -> Response:
    """The answer as Markdown (``/ask.md``, always live) or as the answer JSON (``/ask.json``)."""
    if fmt == "json":
        return JSONResponse(answer_dict(gate, q, audience, clean_history(history)))
    answer = _ask(gate, q, audience, clean_history(history))
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


def _ask(gate: EngineGate, question: str, audience: str, history: list[str]) -> Answer:
    return gate.call(lambda engine: engine.ask(question, audience=audience, history=history))


def answer_context(answer: Answer | dict[str, Any], history: list[str]) -> dict[str, Any]:
    """What ``_answer.html`` renders: the answer (or its stored JSON) plus derived views."""
    data = answer.to_dict() if isinstance(answer, Answer) else answer
    return answer_data_context(data, history)


def answer_data_context(data: dict[str, Any], history: list[str]) -> dict[str, Any]:
    """:func:`answer_context` of an answer JSON (e.g. a stored thread turn or article)."""
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

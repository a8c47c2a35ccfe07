"""The editorial library's pages: sign-in, the public library, the reviewer's desk.

    /login, /logout                      argon2-checked sign-in; a signed HttpOnly session cookie
    /articles, /articles/{slug}          approved articles: search, filters, pages; one article
    /articles/drafts (POST)              editors: save the answer page's question as a draft
    /review                              staff: the queue (submitted, under review, due)
    /review/{id}/versions/{n}            statements beside their cited passages; comments;
                                         Start review / Approve / Request changes / Submit
    /review/{id}/diff?a=&b=              statement-level changes between two versions

Every form works without JavaScript, and every form that writes carries the session's CSRF
token and, for workflow moves, the version and lock_version the page showed: acting on a page
someone else has since changed answers 409 with a message saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from medcite.config import Audience
from medcite.library.errors import Forbidden, Unauthenticated
from medcite.library.queries import ArticleView
from medcite.library.workflow import Actor
from medcite.models import Answer
from medcite.web.auth import (
    PageActor,
    check_csrf,
    end_session,
    library_of,
    safe_next,
    start_session,
)
from medcite.web.deps import GateDep, PoolDep, TemplatesDep
from medcite.web.library_api import create_draft, start_of
from medcite.web.login import login_guard
from medcite.web.pages import answer_context
from medcite.web.work import Overloaded

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

ArticleId = Annotated[int, Path(ge=1, le=2**31 - 1)]
VersionNumber = Annotated[int, Path(ge=1, le=2**31 - 1)]
FormText = Annotated[str, Form(max_length=10_000)]
PER_PAGE = 20
# Buttons of the version page: (status the article is in, move, label, who may press it).
ACTIONS = (
    ("submitted", "under_review", "Start review", "reviewer"),
    ("under_review", "approved", "Approve", "reviewer"),
    ("under_review", "changes_requested", "Request changes", "reviewer"),
    ("draft", "submitted", "Submit for review", "editor"),
    ("changes_requested", "submitted", "Submit for review", "editor"),
)


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# -- signing in ---------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, templates: TemplatesDep, next: str = "") -> Response:
    return _login_form(request, templates, next)


@router.post("/login")
async def login(
    request: Request,
    templates: TemplatesDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "",
    login_csrf: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Sign in (see :mod:`medcite.web.login` for the token, the throttles and the hashing)."""
    guard = login_guard(request)

    def sign_in() -> Actor:
        return library_of(request).login(username, password)

    try:
        guard.check(request, username, login_csrf)
        actor = await request.app.state.login_pool.run(sign_in)
    except Unauthenticated as exc:
        guard.failed(username)
        return _login_form(request, templates, next, str(exc), username, 401)
    except Forbidden as exc:
        return _login_form(request, templates, next, str(exc), username, 403)
    except HTTPException as exc:  # throttled (medcite.web.security.limited)
        problem = str(exc.detail)
        return _login_form(request, templates, next, problem, username, 429, exc.headers)
    except Overloaded as exc:  # too many passwords being checked at once
        headers = {"Retry-After": str(exc.retry_after)}
        return _login_form(request, templates, next, str(exc), username, 503, headers)
    response = _see_other(safe_next(next))
    await run_in_threadpool(start_session, request, response, actor)  # a database write
    return response


def _login_form(
    request: Request,
    templates: Any,
    next: str,
    problem: str | None = None,
    username: str = "",
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    context = {"next": safe_next(next), "problem": problem, "username": username}
    return login_guard(request).form(
        request,
        lambda token: templates.TemplateResponse(
            request,
            "login.html",
            {**context, "login_csrf": token},
            status_code=status,
            headers=dict(headers or {}),
        ),
    )


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    check_csrf(request, csrf_token)
    response = _see_other("/")
    end_session(request, response)
    return response


# -- the public library -------------------------------------------------------------------


@router.get("/articles")
def articles(
    request: Request,
    templates: TemplatesDep,
    actor: PageActor,
    q: Annotated[str, Query(max_length=500)] = "",
    topic: Annotated[str, Query(max_length=200)] = "",
    audience: Audience | None = None,
    status: Annotated[str, Query(max_length=40)] = "",
    reviewed_since: date | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    found = library_of(request).articles(
        actor,
        search=q or None,
        topic=topic or None,
        audience=audience,
        status=status or None,
        reviewed_since=start_of(reviewed_since),
        page=page,
        per_page=PER_PAGE,
    )
    filters = {
        "q": q,
        "topic": topic,
        "audience": audience or "",
        "status": status,
        "reviewed_since": reviewed_since.isoformat() if reviewed_since else "",
    }
    pages = max(1, -(-found.total // PER_PAGE))
    context = {
        "found": found,
        "filters": filters,
        "pages": pages,
        "page_url": lambda n: request.url.include_query_params(page=n),
    }
    return templates.TemplateResponse(request, "articles.html", context)


@router.get("/articles/{slug}")
def article_page(
    slug: Annotated[str, Path(max_length=200)],
    request: Request,
    templates: TemplatesDep,
    actor: PageActor,
) -> Response:
    shown = library_of(request).article_by_slug(actor, slug)
    assert shown.answer is not None
    context = {**answer_context(Answer.from_dict(shown.answer), []), "article": shown}
    return templates.TemplateResponse(request, "article.html", context)


@router.post("/articles/drafts")
async def save_draft(
    request: Request,
    gate: GateDep,
    pool: PoolDep,
    q: FormText,
    audience: Annotated[Audience, Form()] = "clinician",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The answer page's "Save as draft" (editors): compose the answer and keep it."""

    def create() -> ArticleView:
        actor = check_csrf(request, csrf_token)
        return create_draft(gate, actor, question=q, audience=audience)

    draft = await pool.run(create)
    return _see_other(f"/review/{draft.id}/versions/{draft.current_version}")


# -- the reviewer's desk ------------------------------------------------------------------


@router.get("/review")
def review_queue(
    request: Request,
    templates: TemplatesDep,
    actor: PageActor,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    queue = library_of(request).review_queue(actor, page=page, per_page=PER_PAGE)
    context = {
        "queue": queue,
        "pages": max(1, -(-queue.total // PER_PAGE)),
        "page_url": lambda n: request.url.include_query_params(page=n),
    }
    return templates.TemplateResponse(request, "review_queue.html", context)


@router.get("/review/{article_id}")
def review_article(article_id: ArticleId, request: Request, actor: PageActor) -> Response:
    shown = library_of(request).article(actor, article_id)
    return _see_other(f"/review/{article_id}/versions/{shown.current_version}")


@router.get("/review/{article_id}/versions/{number}")
def version_page(
    article_id: ArticleId,
    number: VersionNumber,
    request: Request,
    templates: TemplatesDep,
    actor: PageActor,
) -> Response:
    library = library_of(request)
    shown = library.article(actor, article_id)
    version = library.version(actor, article_id, number)
    context = {
        "article": shown,
        "version": version,
        "actions": actions_for(shown, number, actor.role.value if actor else ""),
        "earlier": [v["number"] for v in shown.versions if v["number"] < number],
    }
    return templates.TemplateResponse(request, "review_version.html", context)


def actions_for(article: ArticleView, number: int, role: str) -> list[dict[str, str]]:
    """The workflow buttons this user may press on this version (only on the current one)."""
    if number != article.current_version:
        return []
    return [
        {"to": to, "label": label}
        for status, to, label, who in ACTIONS
        if status == article.status and who == role
    ]


@router.post("/review/{article_id}/transitions")
def move(
    article_id: ArticleId,
    request: Request,
    to: Annotated[str, Form(max_length=40)],
    version: Annotated[int, Form(ge=1, le=2**31 - 1)],
    lock_version: Annotated[int, Form(ge=0, le=2**31 - 1)],
    comment: FormText = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    actor = check_csrf(request, csrf_token)
    moved = library_of(request).transition(
        actor, article_id, to, version=version, comment=comment, lock_version=lock_version
    )
    return _see_other(f"/review/{article_id}/versions/{moved.current_version}")


@router.post("/review/{article_id}/versions/{number}/comments")
def comment(
    article_id: ArticleId,
    number: VersionNumber,
    request: Request,
    body: FormText,
    statement: Annotated[str, Form(max_length=40)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    actor = check_csrf(request, csrf_token)
    library_of(request).comment(actor, article_id, number, body, statement=statement or None)
    anchor = f"#st-{statement}" if statement else "#comments"
    return _see_other(f"/review/{article_id}/versions/{number}{anchor}")


@router.get("/review/{article_id}/diff")
def diff_page(
    article_id: ArticleId,
    request: Request,
    templates: TemplatesDep,
    actor: PageActor,
    a: Annotated[int, Query(ge=1, le=2**31 - 1)],
    b: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> Response:
    library = library_of(request)
    context: dict[str, Any] = {
        "article": library.article(actor, article_id),
        "a": a,
        "b": b,
        "changes": library.diff(actor, article_id, a, b),
    }
    return templates.TemplateResponse(request, "review_diff.html", context)

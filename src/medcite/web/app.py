"""The web app: ``create_app(settings)`` builds the FastAPI application; nothing at import time.

    from medcite.config import Settings
    from medcite.web.app import create_app
    app = create_app(Settings(home="/tmp/mc"))      # serve with uvicorn, or test via ASGITransport

Pages (:mod:`medcite.web.pages`) and the JSON API (:mod:`medcite.web.api`) share one lazily
opened :class:`medcite.service.Engine` (:class:`medcite.web.deps.EngineGate`, no lock); the
expensive requests run in :class:`medcite.web.work.WorkPool` s, one per kind so that one kind
cannot starve another: ``work_pool`` for answers and streams, ``verify_pool`` for
verifications, ``login_pool`` for password checks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from medcite.config import Settings
from medcite.models import reference_passages
from medcite.web import (
    api,
    auth,
    library_api,
    library_pages,
    openapi,
    pages,
    stream,
    threads,
    tokens_api,
    view,
)
from medcite.web.audience import AudienceCookie, preferred_audience
from medcite.web.deps import EngineGate
from medcite.web.errors import install_error_handlers
from medcite.web.inputs import check_text_input
from medcite.web.login import LoginGuard
from medcite.web.security import BodySizeLimit, CatchAll, RateLimit, SecurityHeaders, TokenBucket
from medcite.web.work import WorkPool

HERE = Path(__file__).parent
ANSWER_PATHS = (
    "/ask",
    "/ask.md",
    "/ask.json",
    "/api/v1/answers",
    "/api/v1/verify",
    stream.STREAM_PATH,
)
SEARCH_PATHS = ("/api/v1/search",)
LOGIN_DEADLINE_S = 30.0


def create_app(settings: Settings) -> FastAPI:
    """The medcite web app (pages, ``/api/v1``, ``/docs``) over the data in ``settings.home``."""
    web = settings.web
    gate = EngineGate(settings)
    pools = {
        name: WorkPool(name, workers=web.workers, queue=web.queue, deadline_s=web.deadline_seconds)
        for name in ("answers", "verifications")
    }
    pools["sign-ins"] = WorkPool(
        "sign-ins", workers=web.login_hashers, queue=web.queue, deadline_s=LOGIN_DEADLINE_S
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        for pool in pools.values():
            pool.close()
        gate.close()

    app = FastAPI(
        title="medcite",
        version=_version(),
        description="Clinical answers with verifiable citations, from a corpus you control.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(check_text_input)],  # one rule for all text input
    )
    app.state.settings = settings
    app.state.gate = gate
    app.state.pools = pools  # /healthz shows each one's load
    app.state.work_pool = pools["answers"]
    app.state.verify_pool = pools["verifications"]
    app.state.login_pool = pools["sign-ins"]
    app.state.login_guard = LoginGuard(settings)
    app.state.templates = _templates()
    install_error_handlers(app)
    auth.install(app)
    openapi.install(app)
    app.include_router(api.router)
    stream.install(app)
    app.include_router(library_api.router)
    app.include_router(library_pages.router)
    app.include_router(api.health)
    app.include_router(pages.router)
    app.include_router(threads.api)
    app.include_router(threads.pages)
    app.include_router(tokens_api.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    swagger = _swagger_files()
    if swagger is not None:
        app.mount("/swagger-ui", StaticFiles(directory=swagger), name="swagger-ui")
    # Added innermost first: the catch-all and the headers wrap every other refusal.
    bucket = TokenBucket(web.answers_per_minute, web.answer_burst)
    app.state.answer_bucket = bucket  # also taken by the thread endpoints and by verify's cost
    searches = TokenBucket(web.searches_per_minute, web.search_burst)
    app.add_middleware(AudienceCookie)
    app.add_middleware(RateLimit, bucket=bucket, paths=ANSWER_PATHS)
    app.add_middleware(RateLimit, bucket=searches, paths=SEARCH_PATHS, what="searches")
    app.add_middleware(BodySizeLimit, max_bytes=web.max_request_bytes)
    app.add_middleware(CatchAll)
    app.add_middleware(SecurityHeaders)
    return app


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")  # autoescapes .html
    env = templates.env
    env.globals.update(
        evidence_labels=view.EVIDENCE_LABELS,
        audience_labels=view.AUDIENCE_LABELS,
        reference_link=view.reference_link,
        highlight=view.highlight,
        preview_text=view.preview_text,
        reference_date=view.reference_date,
        reference_passages=reference_passages,
        support_badge=view.support_badge,
        topic_badge=view.topic_badge,
        ask_url=view.ask_url,
        preferred_audience=preferred_audience,
    )
    return templates


def _swagger_files() -> Path | None:
    """Swagger UI's files from the installed ``fastapi-swagger`` package (never a CDN)."""
    try:
        directory = Path(str(files("fastapi_swagger") / "resources"))
    except ModuleNotFoundError:
        return None
    return directory if (directory / "swagger-ui-bundle.js").is_file() else None


def _version() -> str:
    from importlib.metadata import version

    return version("medcite")

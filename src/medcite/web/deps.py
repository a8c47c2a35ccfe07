"""What the routes depend on: the app's :class:`EngineGate`, its work pools and templates."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from medcite.config import Settings
from medcite.service import Engine
from medcite.web.work import WorkPool

T = TypeVar("T")


class EngineGate:
    """One Engine per app, opened on first use and then shared by every request's thread.

    No lock is held around engine calls: a status read, a document or a search never waits
    for an answer, and an answer waiting on an LLM server blocks nobody. Measured before
    sharing it (8 threads asking, verifying, searching and reading at once, BM25 and hybrid):
    SQLAlchemy engines hand each call its own pooled connection; tantivy gives each search its
    own searcher; usearch searches and onnxruntime sessions are safe to call concurrently;
    what was not safe were the parts loaded on first use, which now load under their own
    short locks. Expensive calls go through :class:`~medcite.web.work.WorkPool` instead.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        self._opening = threading.Lock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._opening:
                if self._engine is None:
                    self._engine = Engine(self.settings)
        return self._engine

    def call(self, work: Callable[[Engine], T]) -> T:
        return work(self.engine)

    def close(self) -> None:
        with self._opening:
            if self._engine is not None:
                self._engine.close()
                self._engine = None


def get_gate(request: Request) -> EngineGate:
    return request.app.state.gate


GateDep = Annotated[EngineGate, Depends(get_gate)]


def get_work_pool(request: Request) -> WorkPool:
    """The pool of answers and streams (see :mod:`medcite.web.work`)."""
    return request.app.state.work_pool


def get_verify_pool(request: Request) -> WorkPool:
    """The pool of verifications: long ones cannot hold up answers."""
    return request.app.state.verify_pool


PoolDep = Annotated[WorkPool, Depends(get_work_pool)]
VerifyPoolDep = Annotated[WorkPool, Depends(get_verify_pool)]


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]

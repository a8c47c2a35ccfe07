"""What the routes depend on: the app's one :class:`EngineGate` and its templates."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from medcite.config import Settings
from medcite.service import Engine

T = TypeVar("T")


class EngineGate:
    """One Engine per app, opened on first use, one call at a time.

    uvicorn runs sync endpoints in a thread pool; tantivy's searcher and the SQLite
    connections are not meant to be shared mid-call across threads, and on a small machine
    the calls are CPU-bound anyway, so serialising them costs no throughput.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def call(self, work: Callable[[Engine], T]) -> T:
        with self._lock:
            if self._engine is None:
                self._engine = Engine(self.settings)
            return work(self._engine)

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.close()
                self._engine = None


def get_gate(request: Request) -> EngineGate:
    return request.app.state.gate


GateDep = Annotated[EngineGate, Depends(get_gate)]


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]

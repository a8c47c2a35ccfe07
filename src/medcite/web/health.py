"""Readiness for ``/healthz``: can this server answer right now, and if not, why not?

Each check is one cheap read of what an answer needs: a primary-key lookup in the corpus
database, the index's passage count, and (when an editorial library is in use) one row of
its articles table. A check that fails is logged with its details, which name server paths,
and reported to the caller as one sentence that does not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from medcite.service import Engine
    from medcite.web.deps import EngineGate

log = logging.getLogger("medcite.web")
_PROBE_ID = "healthz:probe"  # a document id nobody has: the lookup reads, finds nothing


def readiness(gate: EngineGate) -> dict[str, Any]:
    """``{"ready", "indexed_passages", "problems"}`` (see the module docstring)."""
    problems: list[str] = []
    passages = 0

    def check(problem: str, probe: Callable[[Engine], Any]) -> Any:
        try:
            return probe(gate.engine)
        except Exception:  # any failure means "not ready"; the log keeps the traceback
            log.warning("readiness check failed: %s", problem, exc_info=True)
            problems.append(problem)
            return None

    check(
        "the corpus database cannot be read (see the server log)",
        lambda engine: engine.store.document(_PROBE_ID),
    )
    counted = check(
        "the search index cannot be opened (see the server log)",
        lambda engine: engine.backend.count(),
    )
    if counted is not None:
        passages = counted
        if passages == 0:
            problems.append("the search index is empty: run `medcite ingest PATH...` first")
    if _library_in_use(gate):
        check("the editorial library database cannot be read (see the server log)", _read_library)
    return {"ready": not problems, "indexed_passages": passages, "problems": problems}


def _library_in_use(gate: EngineGate) -> bool:
    settings = gate.settings
    return bool(settings.database_url) or (settings.home / "library.sqlite").exists()


def _read_library(engine: Engine) -> None:
    with engine.library.db.reading() as session:
        session.execute(text("SELECT id FROM article LIMIT 1"))

"""How long-running library calls report progress without depending on a UI.

A ``ProgressFn`` is called as ``progress(task, completed, total)``: ``task`` names the work
("ingest pubmedqa/corpus.jsonl", "index", "embed"), ``completed`` counts items done so far
and ``total`` is the expected count, or ``None`` when unknown. The CLI renders it with rich;
library callers may pass ``None``.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[str, int, int | None], None]


def silent(_task: str, _completed: int, _total: int | None) -> None:
    """The progress function used when the caller gives none."""

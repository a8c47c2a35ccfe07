"""What every composer is: retrieved hits in, a cited :class:`~medcite.models.Answer` out.

Two implementations: :class:`~medcite.compose.extractive.ExtractiveComposer` (offline,
deterministic, the default) and :class:`~medcite.compose.llm.LLMComposer` (any
OpenAI-compatible chat endpoint, every statement verified). Both pass the contract suite in
``tests/compose/test_composer_contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from medcite.models import Answer, Hit
from medcite.question.reading import QuestionReading


@runtime_checkable
class Composer(Protocol):
    """Writes an answer to a question from the passages retrieved for it."""

    #: Shown in ``answer.engine["composer"]``.
    name: str

    def compose(
        self,
        question: str,
        hits: list[Hit],
        *,
        audience: str = "clinician",
        reading: QuestionReading | None = None,
    ) -> Answer:
        """An answer whose every citation number names one of ``answer.references``, each
        reference being one of ``hits``; ``reading`` (topic, aspects, concepts) saves reading
        the question again, and carries what only the engine knows (the corpus vocabulary,
        the thread)."""
        ...

    def events(
        self,
        question: str,
        hits: list[Hit],
        *,
        audience: str = "clinician",
        reading: QuestionReading | None = None,
    ) -> Iterator[dict[str, Any]]:
        """:meth:`compose` as it happens: ``{"type": "delta", "text"}`` while a model writes
        (not yet verified), ``{"type": "fallback", "reason"}`` if it gives up, and last
        ``{"type": "answer", "answer": Answer}``. A composer that does not stream yields just
        the answer event."""
        ...

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


def compose_events(
    composer: Composer,
    question: str,
    hits: list[Hit],
    audience: str,
    reading: QuestionReading,
) -> Iterator[dict[str, Any]]:
    """The composer's events (``delta``/``fallback``, then ``answer``) when it streams, else
    just its answer: ``{"type": "answer", "answer": Answer}``."""
    events = getattr(composer, "events", None)
    if events is not None:
        yield from events(question, hits, audience=audience, reading=reading)
    else:
        answer = composer.compose(question, hits, audience=audience, reading=reading)
        yield {"type": "answer", "answer": answer}

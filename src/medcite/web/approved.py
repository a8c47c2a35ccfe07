"""The answer a reader gets: the approved article's stored answer, else the live one.

An approved article for the same question and audience is served exactly as the advisory
board approved it (one indexed query, no retrieval or composition), its review strip saying
"Approved by the Medical Advisory Board on <date>". Anything else, including follow-ups asked
in the context of a conversation, is answered live and labelled "pending human review".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from medcite.web.deps import EngineGate


def approved_answer(gate: EngineGate, question: str, audience: str) -> dict[str, Any] | None:
    """The stored approved answer, or None (none approved, or no library extra installed)."""
    try:
        return gate.call(lambda engine: engine.library.approved_answer(question, audience))
    except ImportError:  # medcite[library] not installed: there is no approved article
        return None


def answer_dict(
    gate: EngineGate, question: str, audience: str, history: Sequence[str] = ()
) -> dict[str, Any]:
    """The answer JSON to serve for this question (see the module docstring)."""
    if not history:
        stored = approved_answer(gate, question, audience)
        if stored is not None:
            return stored
    return live_answer(gate, question, audience, history)


def live_answer(
    gate: EngineGate, question: str, audience: str, history: Sequence[str] = ()
) -> dict[str, Any]:
    """A freshly composed answer JSON (also what a new draft article starts from)."""
    answer = gate.call(lambda engine: engine.ask(question, audience=audience, history=history))
    return answer.to_dict()

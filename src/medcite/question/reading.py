"""A question read in its thread, once, for retrieval and the composer alike.

reading = prepare(question, history)     # follow-up rewrite → query and analysis
hits = retrieve(reading.query, also=reading.also, intent=reading.analysis.intent)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from medcite.question.followup import Rewrite, analysis_for, rewrite
from medcite.question.intent import QuestionAnalysis, analyse


@dataclass(frozen=True)
class Reading:
    """A question read in its thread."""

    rewrite: Rewrite
    analysis: QuestionAnalysis
    history: tuple[str, ...]

    @property
    def query(self) -> str:
        return self.rewrite.query

    @property
    def also(self) -> list[str]:
        """Reformulations retrieval fuses with ``query``: the intent-focused query and, for a
        follow-up, the asker's own words with the thread's subject (they may say "outlook"
        where the rewrite says "prognosis")."""
        queries = [self.analysis.focused_query]
        if self.rewrite.follow_up:
            state = self.rewrite.state
            queries.append(" ".join([self.rewrite.question, state.topic, *state.drugs]))
        return queries


def prepare(question: str, history: Sequence[str] = ()) -> Reading:
    """Rewrite ``question`` in the context of ``history`` (earlier questions, oldest first)."""
    turn = rewrite(question, history)
    analysis = analysis_for(turn) if turn.follow_up else analyse(question)
    return Reading(turn, analysis, tuple(history))

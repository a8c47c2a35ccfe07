"""The reader's two steps around composing an answer, called by ``Engine.ask``:

reading = prepare(question, history)      # follow-up rewrite → query and analysis
hits = retrieve(reading.query); answer = compose(question, hits, analysis=reading.analysis)
finish(answer, reading, related)          # answering, audience notes, related questions
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from medcite.compose.intent import QuestionAnalysis, analyse
from medcite.compose.terms import coverage, stem_set
from medcite.models import Answer, Document, Hit
from medcite.reader.audience import tailor_answer
from medcite.reader.followup import Rewrite, analysis_for, rewrite
from medcite.reader.related import MIN_EVIDENCE_COVERAGE


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


def finish(answer: Answer, reading: Reading, related: Callable[..., list[str]]) -> None:
    """Fill ``answering``, the audience's notes and grade, and ``related_questions``."""
    answer.answering = reading.query
    answer.engine["thread_turns"] = len(reading.history)
    answer.engine["follow_up"] = reading.rewrite.follow_up
    tailor_answer(answer)
    started = time.perf_counter()
    sources = [r.document.title for r in answer.references if not _untitled(r.document)]
    answer.related_questions = related(
        reading.query, exclude=(answer.question, *reading.history), context=sources
    )
    timings = answer.engine.setdefault("timings_ms", {})
    timings["related"] = round((time.perf_counter() - started) * 1000, 1)


def _untitled(document: Document) -> bool:
    return document.title.startswith("PubMed ") or bool(document.metadata.get("text_is_title"))


def has_evidence(question: str, hits: Sequence[Hit]) -> bool:
    """Whether one of ``hits`` covers enough of the question's topic to answer it."""
    topic = analyse(question).topic_stems
    return bool(topic) and any(
        coverage(topic, stem_set(f"{h.document.title} {h.passage.text}")) >= MIN_EVIDENCE_COVERAGE
        for h in hits
    )

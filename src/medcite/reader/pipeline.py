"""Finishing a composed answer, called by the engine after composing and verifying:

reading = engine.read_question(question, history)     # medcite.question: topic, aspects, thread
hits = retrieve(reading.query, also=reading.also); answer = compose(question, hits, reading=reading)
finish(answer, reading, related)                      # answering, audience notes, related questions
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from medcite.models import Answer, Document, Hit
from medcite.question.intent import analyse
from medcite.question.reading import QuestionReading
from medcite.reader.notes import tailor_answer
from medcite.reader.related import MIN_EVIDENCE_COVERAGE
from medcite.text.terms import coverage, stem_set


def finish(answer: Answer, reading: QuestionReading, related: Callable[..., list[str]]) -> None:
    """Fill ``answering``, the audience's notes and grade, and ``related_questions``."""
    answer.answering = reading.answering
    answer.engine["thread_turns"] = len(reading.history)
    answer.engine["follow_up"] = reading.follow_up
    tailor_answer(answer)
    started = time.perf_counter()
    sources = [r.document.title for r in answer.references if not _untitled(r.document)]
    answer.related_questions = related(
        reading.answering, exclude=(answer.question, *reading.history), context=sources
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

"""Finishing a composed, verified answer for its reader, called by ``Engine.answer``:

reading = engine.read_question(question, history)  # medcite.question: topic, aspects, thread
hits = retrieve(reading.query, also=reading.also); answer = compose(question, hits, reading=reading)
finish(answer, reading, related, count)            # answering, audience notes, related questions
"""

from __future__ import annotations

import time

from medcite.models import Answer, Document
from medcite.question.reading import QuestionReading
from medcite.reader.notes import tailor_answer
from medcite.reader.related import RelatedQuestions


def finish(
    answer: Answer, reading: QuestionReading, related: RelatedQuestions, count: int
) -> float:
    """Fill ``answering``, the audience's notes and grade, and up to ``count``
    ``related_questions``; returns the milliseconds spent finding the related questions."""
    answer.answering = reading.answering
    tailor_answer(answer)
    started = time.perf_counter()
    sources = [r.document.title for r in answer.references if not _untitled(r.document)]
    exclude = (answer.question, *reading.history)
    found = related.find(reading.answering, count, exclude, sources) if count else []
    answer.related_questions = found
    return (time.perf_counter() - started) * 1000


def _untitled(document: Document) -> bool:
    return document.title.startswith("PubMed ") or bool(document.metadata.get("text_is_title"))

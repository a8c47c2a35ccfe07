"""The answers streamed a moment ago, so that the page loaded next does not compose them again.

:mod:`medcite.web.stream` puts each verified answer here; the answer page (``/ask``) that the
script opens once the stream ends takes it from here for the same question, audience and
history. Answers are public (the same question gets the same answer for everyone), so the
key holds no client.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence

from starlette.requests import Request

from medcite.models import Answer

Key = tuple[str, str, tuple[str, ...]]


class RecentAnswers:
    """The last ``size`` streamed answers by (question, audience, history), for ``ttl`` s."""

    def __init__(self, size: int = 64, ttl: float = 60.0) -> None:
        self.size, self.ttl = size, ttl
        self._answers: OrderedDict[Key, tuple[float, Answer]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: Key, answer: Answer) -> None:
        with self._lock:
            self._answers[key] = (time.monotonic(), answer)
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def get(self, key: Key) -> Answer | None:
        with self._lock:
            at, answer = self._answers.get(key, (0.0, None))
            return answer if time.monotonic() - at <= self.ttl else None


def recent_answer(
    request: Request, question: str, audience: str, history: Sequence[str]
) -> Answer | None:
    """The answer streamed for exactly this question a moment ago, if any."""
    recent: RecentAnswers | None = getattr(request.app.state, "recent_answers", None)
    return recent.get((question, audience, tuple(history))) if recent else None

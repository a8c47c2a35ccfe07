"""Expensive requests run in a bounded pool, so that cheap ones never wait behind them.

    pool = WorkPool("answers", workers=2, queue=16, deadline_s=120)
    answer = await pool.run(compose, question)   # Overloaded (503) when full or too late
    future = pool.submit(produce)                 # a stream's producer; Overloaded when full

``workers`` threads do the work; at most ``queue`` more requests wait for one; more are
refused at once with :class:`Overloaded` (503 ``busy`` and a ``Retry-After``). A request that
has waited and worked ``deadline_s`` in all gets 503 ``deadline_exceeded``; its work, which
a thread cannot be made to drop, still finishes in its worker, so the pool never runs more
than ``workers`` at a time and never holds more than ``workers + queue`` requests.
The waiting happens on the event loop, not in a thread: queued requests cost no thread.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
_SMOOTHING = 0.2  # weight of the newest duration in the running mean


class Overloaded(Exception):
    """The request was refused or gave up for lack of capacity; answered 503 + Retry-After."""

    def __init__(self, code: str, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after


class WorkPool:
    """``workers`` threads, ``queue`` waiting places, ``deadline_s`` per request (see module)."""

    def __init__(self, name: str, *, workers: int, queue: int, deadline_s: float) -> None:
        self.name = name
        self.workers = workers
        self.queue = queue
        self.deadline_s = deadline_s
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix=f"medcite-{name}")
        self._lock = threading.Lock()
        self._admitted = 0  # running + waiting
        self._running = 0
        self._mean_s = 1.0  # running mean of how long one piece of work takes

    def submit(self, work: Callable[..., T], *args: Any) -> Future[T]:
        """Start ``work(*args)`` in the pool, or raise :class:`Overloaded` when it is full."""
        with self._lock:
            if self._admitted >= self.workers + self.queue:
                raise Overloaded(
                    "busy",
                    f"the server is busy ({self._admitted} {self.name} in progress or waiting); "
                    f"retry after {self.retry_after()} s",
                    self.retry_after(),
                )
            self._admitted += 1
        future = self._executor.submit(self._timed, work, *args)
        future.add_done_callback(self._leave)
        return future

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)``'s result, awaited without holding a thread; Overloaded if full or
        if it takes more than ``deadline_s`` from now (waiting included)."""
        future = asyncio.wrap_future(self.submit(work, *args))
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.deadline_s)
        except TimeoutError:
            future.cancel()  # frees its place if it is still waiting; else it runs to its end
            future.add_done_callback(_forget)
            raise Overloaded(
                "deadline_exceeded",
                f"this request took longer than {self.deadline_s:g} s and was given up; "
                f"retry after {self.retry_after()} s, or ask for less at once",
                self.retry_after(),
            ) from None

    def retry_after(self) -> int:
        """Seconds until a place is likely free: the queue ahead over the workers."""
        return max(1, math.ceil(self._mean_s * (1 + self._admitted / self.workers)))

    def load(self) -> dict[str, int]:
        """How busy the pool is now (shown by ``/healthz``)."""
        with self._lock:
            running, admitted = self._running, self._admitted
        return {"workers": self.workers, "running": running, "waiting": admitted - running}

    def close(self) -> None:
        """Drop waiting work; running work finishes in its thread."""
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _timed(self, work: Callable[..., T], *args: Any) -> T:
        with self._lock:
            self._running += 1
        started = time.perf_counter()
        try:
            return work(*args)
        finally:
            elapsed = time.perf_counter() - started
            with self._lock:
                self._running -= 1
                self._mean_s += _SMOOTHING * (elapsed - self._mean_s)

    def _leave(self, _future: Future[Any]) -> None:
        with self._lock:
            self._admitted -= 1


def _forget(future: asyncio.Future[Any]) -> None:
    """Retrieve an abandoned request's outcome, so that asyncio does not log it as lost."""
    if not future.cancelled():
        future.exception()

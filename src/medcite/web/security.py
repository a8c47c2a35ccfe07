"""Security middleware: response headers (strict CSP), request size limit, rate limit, catch-all.

Plain ASGI middleware (no BaseHTTPMiddleware) so they add microseconds, not milliseconds, to
each request. Refusals are answered with :func:`medcite.web.errors.error_response`, the same
shape as every other error.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medcite.web.errors import error_response

log = logging.getLogger("medcite.web")

# No inline script or style anywhere: our own JS and CSS are same-origin files.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class _HttpMiddleware:
    """Passes anything but HTTP (lifespan) straight through to the app; subclasses ``handle``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class SecurityHeaders(_HttpMiddleware):
    """Adds the security headers to every HTTP response."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException, so that FastAPI's body parsing lets
    it through as 413 (it turns any other error while reading the body into a 400)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _too_large(max_bytes))


def _too_large(max_bytes: int) -> str:
    return f"the request body is larger than {max_bytes:,} bytes"


class BodySizeLimit(_HttpMiddleware):
    """Refuses request bodies over ``max_bytes`` with 413, by header or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise _BodyTooLarge(self.max_bytes)
            return message

        watched = _WatchedSend(send)
        try:
            await self.app(scope, counting_receive, watched)
        except _BodyTooLarge:
            if not watched.started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            Request(scope),
            413,
            "request_too_large",
            _too_large(self.max_bytes),
        )
        await response(scope, receive, send)


class TokenBucket:
    """Per-client token buckets: ``burst`` tokens at once, refilled at ``per_minute``.

    A request takes one token, or as many as it costs (a verification of many statements);
    a cost above ``burst`` is charged as ``burst``, so that it can be paid at all.
    """

    def __init__(self, per_minute: float, burst: int, max_clients: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, client: str, cost: float = 1.0) -> float:
        """Take ``cost`` tokens for ``client``: 0.0 when allowed, else the seconds until
        there are enough (nothing is taken then)."""
        cost = min(cost, self.burst)
        now = time.monotonic()
        with self._lock:
            tokens = self._tokens(client, now)
            if tokens < cost:
                self._buckets[client] = (tokens, now)
                return (cost - tokens) / self.rate
            if len(self._buckets) >= self.max_clients and client not in self._buckets:
                self._forget_full()
            self._buckets[client] = (tokens - cost, now)
            return 0.0

    def wait(self, client: str, cost: float = 1.0) -> float:
        """Seconds until ``client`` has ``cost`` tokens (0.0: now); takes nothing."""
        with self._lock:
            tokens = self._tokens(client, time.monotonic())
        return max(0.0, (min(cost, self.burst) - tokens) / self.rate)

    def _tokens(self, client: str, now: float) -> float:
        tokens, at = self._buckets.get(client, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.rate)

    def _forget_full(self) -> None:
        # Clients whose bucket is full again carry no state worth keeping.
        now = time.monotonic()
        self._buckets = {
            c: (t, at)
            for c, (t, at) in self._buckets.items()
            if t + (now - at) * self.rate < self.burst
        }


def client_address(scope: Scope) -> str:
    return (scope.get("client") or ("unknown", 0))[0]


def limited(what: str, client: str, wait: float) -> HTTPException:
    """The 429 for ``client`` who must wait ``wait`` seconds; its message says the same
    whole number of seconds as its ``Retry-After`` header."""
    seconds = max(1, math.ceil(wait))
    return HTTPException(
        429,
        f"too many {what} from {client}; retry after {seconds} s (see the Retry-After header)",
        headers={"Retry-After": str(seconds)},
    )


def charge(request: Request, bucket: TokenBucket, cost: float, what: str) -> None:
    """Take ``cost`` tokens of ``bucket`` for this request's client, or refuse with 429."""
    client = client_address(request.scope)
    wait = bucket.take(client, cost) if cost > 0 else 0.0
    if wait > 0:
        raise limited(what, client, wait)


class RateLimit(_HttpMiddleware):
    """Applies a :class:`TokenBucket` to some paths (answers; searches), before any work."""

    def __init__(
        self, app: ASGIApp, bucket: TokenBucket, paths: Iterable[str], what: str = "answers"
    ) -> None:
        super().__init__(app)
        self.bucket = bucket
        self.paths = frozenset(paths)
        self.what = what

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] in self.paths:
            client = client_address(scope)
            wait = self.bucket.take(client)
            if wait > 0:
                refusal = limited(self.what, client, wait)
                response = error_response(
                    Request(scope), 429, "rate_limited", refusal.detail, refusal.headers
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class CatchAll(_HttpMiddleware):
    """Turns any unexpected exception into a logged JSON/HTML error (503), never a traceback."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        watched = _WatchedSend(send)
        try:
            await self.app(scope, receive, watched)
        except Exception:
            log.exception("unexpected error serving %s %s", scope["method"], scope["path"])
            if watched.started:
                raise
            response = error_response(
                Request(scope),
                503,
                "internal_error",
                "medcite could not complete this request because of an internal error "
                "(it has been logged); please try again",
            )
            await response(scope, receive, send)


class _WatchedSend:
    """Wraps ``send`` and remembers whether the response has started."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.started = False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)

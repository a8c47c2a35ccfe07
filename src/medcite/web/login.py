"""Guarding ``POST /login``: a pre-session CSRF token, throttles, and a bound on hashing.

    guard = login_guard(request)
    guard.form(request, render)                  # GET /login: render(token), nonce cookie set
    guard.check(request, username, submitted)    # POST /login: 403 / 429 before any hash
    guard.failed(username)                       # after a wrong password

- **CSRF before a session exists**: the login page sets a random nonce cookie and puts
  HMAC(secret key, nonce) in the form; a post must carry both, so a cross-site page cannot
  sign a browser in (as its own account) nor make it guess passwords.
- **Throttles**: every attempt takes a token of its address's bucket
  (``web.login_attempts_per_address`` at once, refilled at half that per minute), and every
  failure one of its username's bucket (``web.login_failures_per_user``, one a minute), from
  whatever address; an empty bucket is 429 with ``Retry-After``, and no hash is computed.
- **Hashing** runs in the app's ``login_pool`` (``web.login_hashers`` at once, 503 beyond its
  queue): each argon2 check takes 64 MiB, so 40 guessers must not take 40 of them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from functools import cached_property

from fastapi import Request, Response

from medcite.config import Settings
from medcite.library.errors import Forbidden
from medcite.library.sessions import secret_key
from medcite.web.security import TokenBucket, client_address, limited

CSRF_COOKIE = "medcite_login_csrf"
USER_REFILL_PER_MINUTE = 1.0


class LoginGuard:
    """The app's sign-in throttles and login CSRF (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        web = settings.web
        self.settings = settings
        self.addresses = TokenBucket(
            web.login_attempts_per_address / 2, web.login_attempts_per_address
        )
        self.users = TokenBucket(USER_REFILL_PER_MINUTE, web.login_failures_per_user)

    @cached_property
    def _secret(self) -> bytes:
        return secret_key(self.settings).encode()

    def _token(self, nonce: str) -> str:
        return hmac.new(self._secret, f"login:{nonce}".encode(), hashlib.sha256).hexdigest()

    def form(self, request: Request, render: Callable[[str], Response]) -> Response:
        """``render(token)``, the login form with its token; sets this browser's nonce cookie
        when it has none yet."""
        known = request.cookies.get(CSRF_COOKIE)
        nonce = known or secrets.token_urlsafe(24)
        response = render(self._token(nonce))
        if nonce != known:
            library = self.settings.library
            response.set_cookie(
                CSRF_COOKIE,
                nonce,
                max_age=library.session_hours * 3600,
                path="/login",
                httponly=True,
                samesite="lax",
                secure=library.secure_cookies,
            )
        return response

    def check(self, request: Request, username: str, submitted: str) -> None:
        """Refuse a sign-in without this browser's token (403) or over a throttle (429)."""
        nonce = request.cookies.get(CSRF_COOKIE)
        if not nonce or not hmac.compare_digest(self._token(nonce), submitted):
            raise Forbidden("the sign-in form's security token is missing or old; reload the page")
        address = client_address(request.scope)
        wait = self.addresses.take(address)
        if wait > 0:
            raise limited("sign-in attempts", address, wait)
        wait = self.users.wait(username)
        if wait > 0:
            raise limited(f"failed sign-ins as {username!r}", "any address", wait)

    def failed(self, username: str) -> None:
        self.users.take(username)


def login_guard(request: Request) -> LoginGuard:
    return request.app.state.login_guard

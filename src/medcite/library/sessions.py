"""Signed browser sessions and CSRF tokens for the web layer (itsdangerous).

    signer = SessionSigner.for_settings(settings)
    cookie = signer.issue(library, actor)             # after Library.login(); set it HttpOnly
    actor = signer.actor(library, cookie)             # on each request (None if no cookie)
    signer.check_csrf(cookie, form["csrf_token"])     # on each form POST
    signer.end(library, cookie)                       # on sign-out

The cookie carries a random session id, a random CSRF token and a timestamp, signed with the
secret key. The session id names a ``user_session`` row (its hash), read on every request:
signing out ends that row, a password change or disabling the user ends all of theirs, and a
replayed cookie — however correctly signed — is refused from then on.
The secret is ``settings.library.secret_key`` or, by default, a random key created once in
``<home>/session.key`` (mode 0600): never a built-in default.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medcite.config import Settings
from medcite.library.errors import Forbidden, Unauthenticated
from medcite.library.workflow import Actor

if TYPE_CHECKING:
    from medcite.library.service import Library

SALT = "medcite.session"
_INVALID = "the session cookie is not valid; sign in again"


def _serializer(secret: str) -> Any:
    try:
        from itsdangerous import URLSafeTimedSerializer
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("sessions need the extra: pip install 'medcite[library]'") from exc
    return URLSafeTimedSerializer(secret, salt=SALT)


def secret_key(settings: Settings) -> str:
    """The configured secret, else the one in ``<home>/session.key`` (created on first use)."""
    if settings.library.secret_key:
        return settings.library.secret_key.get_secret_value()
    path: Path = settings.home / "session.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass(frozen=True)
class SessionSigner:
    secret: str
    max_age_s: int = 8 * 3600

    @classmethod
    def for_settings(cls, settings: Settings) -> SessionSigner:
        return cls(secret_key(settings), settings.library.session_hours * 3600)

    def issue(self, library: Library, actor: Actor) -> str:
        """A signed cookie value for a new session of a signed-in user."""
        session_id = library.start_session(actor, timedelta(seconds=self.max_age_s))
        return str(
            _serializer(self.secret).dumps({"sid": session_id, "csrf": secrets.token_urlsafe(24)})
        )

    def _payload(self, cookie: str) -> dict[str, Any]:
        from itsdangerous import BadSignature, SignatureExpired

        try:
            data = _serializer(self.secret).loads(cookie, max_age=self.max_age_s)
        except SignatureExpired:
            raise Unauthenticated("the session has expired; sign in again") from None
        except BadSignature:
            raise Unauthenticated(_INVALID) from None
        if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
            raise Unauthenticated(_INVALID)  # e.g. a cookie from before sessions were kept
        return dict(data)

    def actor(self, library: Library, cookie: str | None) -> Actor | None:
        """The signed-in actor, None without a cookie; Unauthenticated for a bad or ended one."""
        if not cookie:
            return None
        return library.session_actor(self._payload(cookie)["sid"])

    def end(self, library: Library, cookie: str) -> None:
        """End the cookie's session on the server (signing out twice is harmless)."""
        library.end_session(self._payload(cookie)["sid"])

    def csrf_token(self, cookie: str) -> str:
        """The token to put in every form of this session."""
        return str(self._payload(cookie)["csrf"])

    def check_csrf(self, cookie: str, submitted: str | None) -> None:
        """Raise Forbidden unless the form's token is this session's."""
        if not submitted or not hmac.compare_digest(self.csrf_token(cookie), submitted):
            raise Forbidden("the form's CSRF token is missing or wrong; reload the page")

"""Users, roles, passwords (argon2), browser sessions and API tokens (SHA-256 at rest).

Every function that changes users requires an admin actor; ``Actor.system()`` is the operator
at the machine (the CLI), who may bootstrap the first admin. Authentication turns a password
or a token into an :class:`Actor`, or raises :class:`Unauthenticated` with the same message
whatever was wrong, so a caller cannot probe which usernames exist — nor by timing: a
sign-in as an unknown, disabled or password-less user checks the password against a dummy
hash, which costs what checking a real one costs.

Revocation: a browser session is a ``user_session`` row the signed cookie names, ended by
logout, and for all of a user's sessions by a password change or disabling the user. An API
token is refused once revoked (one by one, by its owner or an admin), past its optional
``expires_at``, or while its user is disabled.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from medcite.library import audit
from medcite.library.errors import Conflict, Forbidden, InvalidRequest, NotFound, Unauthenticated
from medcite.library.schema import ApiToken, User, UserSession, utcnow
from medcite.library.workflow import Actor, Role, parse_role, require_role

ADMIN_ONLY = frozenset({Role.ADMIN})
ANY_ROLE = frozenset(Role)
MAX_TOKEN_DAYS = 3650
TOKEN_PREFIX = "mct_"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 10
_BAD_LOGIN = "unknown user, wrong password or disabled account"
_SESSION_ENDED = (
    "the session has ended (signed out, password changed or account disabled); sign in again"
)


@cache
def _dummy_hash() -> str:
    """An argon2id hash of nothing: random salt and digest under the hasher's parameters.

    Checking a password against it costs what checking against a real hash costs (argon2
    recomputes the digest with these parameters), it takes no hashing to make, and no
    password matches it."""
    hasher = _hasher()
    salt, digest = (_b64(secrets.token_bytes(n)) for n in (hasher.salt_len, hasher.hash_len))
    cost = f"m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
    return f"$argon2id$v=19${cost}${salt}${digest}"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode().rstrip("=")  # argon2's encoding: no padding


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("passwords need the extra: pip install 'medcite[library]'") from exc
    return PasswordHasher()


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: str
    disabled: bool
    has_password: bool
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def _view(user: User) -> UserView:
    return UserView(
        user.id,
        user.username,
        user.display_name,
        user.role,
        user.disabled,
        user.password_hash is not None,
        user.created_at.isoformat(),
    )


def add_user(
    session: Session,
    actor: Actor | None,
    username: str,
    role: str,
    *,
    password: str | None = None,
    display_name: str | None = None,
) -> UserView:
    """Create a user (admin only). Without a password the user can only use API tokens."""
    actor = require_role(actor, ADMIN_ONLY, "add users")
    if not _USERNAME.match(username):
        raise InvalidRequest(
            f"username {username!r}: use 2-80 lowercase letters, digits, '.', '_' or '-'"
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(
        username=username,
        display_name=display_name or username,
        role=parse_role(role).value,
        password_hash=_hash_password(password) if password is not None else None,
        disabled=False,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.add", "user", user.id, after=user.id, role=user.role)
    return _view(user)


def _hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest(f"the password must have at least {MIN_PASSWORD} characters")
    return str(_hasher().hash(password))


def _user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def set_password(session: Session, actor: Actor | None, username: str, password: str) -> None:
    """Set a user's password (admin only)."""
    actor = require_role(actor, ADMIN_ONLY, "set passwords")
    user = _user(session, username)
    user.password_hash = _hash_password(password)
    ended = _end_sessions(session, user.id, "password")
    audit.record(session, actor, "user.password", "user", user.id, sessions_ended=ended)


def set_disabled(
    session: Session, actor: Actor | None, username: str, disabled: bool = True
) -> UserView:
    """Disable (or re-enable) a user: a disabled user can neither log in nor use tokens, and
    their browser sessions end for good (re-enabling revives their tokens, not sessions)."""
    actor = require_role(actor, ADMIN_ONLY, "disable users")
    user = _user(session, username)
    user.disabled = disabled
    ended = _end_sessions(session, user.id, "disabled") if disabled else 0
    action = "user.disable" if disabled else "user.enable"
    audit.record(session, actor, action, "user", user.id, sessions_ended=ended)
    return _view(user)


def list_users(session: Session, actor: Actor | None) -> list[UserView]:
    require_role(actor, ADMIN_ONLY, "list users")
    return [_view(u) for u in session.scalars(select(User).order_by(User.username))]


def _actor(user: User) -> Actor:
    return Actor(username=user.username, role=Role(user.role), user_id=user.id)


def login(session: Session, username: str, password: str) -> Actor:
    """The actor for a correct username and password; Unauthenticated otherwise."""
    from argon2.exceptions import InvalidHashError, VerificationError

    user = session.scalar(select(User).where(User.username == username))
    stored = user.password_hash if user is not None and not user.disabled else None
    try:
        _hasher().verify(stored or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        raise Unauthenticated(_BAD_LOGIN) from None
    if user is None or stored is None:  # unreachable by guessing: only real hashes sign in
        raise Unauthenticated(_BAD_LOGIN)
    return _actor(user)


def _digest(secret: str) -> str:
    """What is stored of a token or session id: 256 random bits need no salt."""
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(session: Session, actor: Actor, lifetime: timedelta) -> str:
    """A new browser session for a signed-in user: its random id, for the signed cookie.

    The user's sessions older than ``lifetime`` (their cookies are refused as expired) are
    deleted on the way, so the table holds about one row per live session."""
    if actor.user_id is None:
        raise Unauthenticated("only users can have browser sessions")
    now = utcnow()
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == actor.user_id, UserSession.created_at < now - lifetime
        )
    )
    session_id = secrets.token_urlsafe(32)
    session.add(UserSession(id=_digest(session_id), user_id=actor.user_id, created_at=now))
    return session_id


def session_actor(session: Session, session_id: str) -> Actor:
    """The user of a live session; Unauthenticated once it ended or its user is disabled."""
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == _digest(session_id))
    ).first()
    if row is None or row.UserSession.ended_at is not None or row.User.disabled:
        raise Unauthenticated(_SESSION_ENDED)
    return _actor(row.User)


def end_session(session: Session, session_id: str) -> None:
    """Sign out: the session's cookie is refused from now on, wherever it is replayed."""
    session.execute(
        update(UserSession)
        .where(UserSession.id == _digest(session_id), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason="logout")
    )


def _end_sessions(session: Session, user_id: int, reason: str) -> int:
    """End every live session of a user; returns how many there were."""
    ended = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )
    return int(getattr(ended, "rowcount", 0) or 0)


def local_actor(session: Session, username: str) -> Actor:
    """Act as an existing, enabled user without a password: only for the operator's CLI."""
    user = _user(session, username)
    if user.disabled:
        raise Unauthenticated(f"user {username!r} is disabled")
    return _actor(user)


@dataclass(frozen=True, slots=True)
class TokenView:
    """What is shown of an API token: never the token, nor its hash."""

    id: int
    username: str
    label: str
    created_at: str
    expires_at: str | None
    revoked: bool
    active: bool  # neither revoked nor expired (its user may still be disabled)

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made: ``secret`` is shown this once and never stored."""

    secret: str
    view: TokenView

    def to_dict(self) -> dict[str, Any]:
        return {**self.view.to_dict(), "token": self.secret}


def _token_view(row: ApiToken, username: str) -> TokenView:
    expired = row.expires_at is not None and row.expires_at <= utcnow()
    return TokenView(
        row.id,
        username,
        row.label,
        row.created_at.isoformat(),
        row.expires_at.isoformat() if row.expires_at else None,
        row.revoked,
        not (row.revoked or expired),
    )


def create_token(
    session: Session,
    actor: Actor | None,
    username: str,
    label: str = "",
    *,
    expires_in_days: int | None = None,
) -> NewToken:
    """A new API token for ``username`` (admin, or the user for themself), valid until
    revoked or for ``expires_in_days``; its secret is shown only once."""
    if actor is None or actor.username != username:
        actor = require_role(actor, ADMIN_ONLY, "create tokens for other users")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise InvalidRequest(f"a token expires in 1 to {MAX_TOKEN_DAYS} days, or never")
    user = _user(session, username)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    if actor.expires_at is not None and (expires is None or expires > actor.expires_at):
        # A token made with an expiring token expires with it: revoking or outliving the
        # first must not leave a longer-lived copy behind.
        expires = actor.expires_at
    row = ApiToken(
        user_id=user.id,
        token_hash=_digest(token),
        label=label,
        revoked=False,
        created_at=utcnow(),
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "token.create",
        "api_token",
        row.id,
        after=row.id,
        user=username,
        expires_at=expires.isoformat() if expires else None,
    )
    return NewToken(token, _token_view(row, username))


def list_tokens(
    session: Session, actor: Actor | None, username: str | None = None
) -> list[TokenView]:
    """API tokens, oldest first: an admin's of everyone (or of ``username``), anyone else's
    their own."""
    actor = require_role(actor, ANY_ROLE, "list API tokens")
    query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    if actor.role is not Role.ADMIN:
        if username not in (None, actor.username):
            raise Forbidden(f"{actor.username} may list only their own API tokens")
        query = query.where(ApiToken.user_id == actor.user_id)
    elif username is not None:
        query = query.where(ApiToken.user_id == _user(session, username).id)
    rows = session.execute(query.order_by(ApiToken.id))
    return [_token_view(row.ApiToken, row.username) for row in rows]


def revoke_token(session: Session, actor: Actor | None, token_id: int) -> TokenView:
    """Revoke one token (its owner or an admin): it is refused from now on. Another user's
    token is NotFound to a non-admin, so ids tell nothing about others' tokens."""
    actor = require_role(actor, ANY_ROLE, "revoke API tokens")
    row = session.execute(
        select(ApiToken, User.username)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.id == token_id)
    ).first()
    if row is None or (actor.role is not Role.ADMIN and row.ApiToken.user_id != actor.user_id):
        raise NotFound(f"no API token {token_id}")
    token = row.ApiToken
    if not token.revoked:
        token.revoked = True
        audit.record(session, actor, "token.revoke", "api_token", token.id, user=row.username)
    return _token_view(token, row.username)


def authenticate_token(session: Session, token: str) -> Actor:
    """The actor an ``Authorization: Bearer`` token stands for; Unauthenticated otherwise."""
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(token))
    ).first()
    if row is None or row.ApiToken.revoked or row.User.disabled:
        raise Unauthenticated("unknown, revoked or disabled API token")
    expires = row.ApiToken.expires_at
    if expires is not None and expires <= utcnow():
        raise Unauthenticated(
            f"the API token expired at {expires.isoformat(timespec='seconds')}; make a new one"
        )
    return replace(_actor(row.User), expires_at=expires)

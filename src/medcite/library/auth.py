"""Users, roles, passwords (argon2) and API tokens (SHA-256 at rest).

Every function that changes users requires an admin actor; ``Actor.system()`` is the operator
at the machine (the CLI), who may bootstrap the first admin. Authentication turns a password
or a token into an :class:`Actor`, or raises :class:`Unauthenticated` with the same message
whatever was wrong, so a caller cannot probe which usernames exist — nor by timing: a
sign-in as an unknown, disabled or password-less user checks the password against a dummy
hash, which costs what checking a real one costs.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcite.library import audit
from medcite.library.errors import Conflict, InvalidRequest, NotFound, Unauthenticated
from medcite.library.schema import ApiToken, User
from medcite.library.workflow import Actor, Role, parse_role, require_role

ADMIN_ONLY = frozenset({Role.ADMIN})
TOKEN_PREFIX = "mct_"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD = 10
_BAD_LOGIN = "unknown user, wrong password or disabled account"


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
    audit.record(session, actor, "user.password", "user", user.id)


def set_disabled(
    session: Session, actor: Actor | None, username: str, disabled: bool = True
) -> UserView:
    """Disable (or re-enable) a user: a disabled user can neither log in nor use tokens."""
    actor = require_role(actor, ADMIN_ONLY, "disable users")
    user = _user(session, username)
    user.disabled = disabled
    audit.record(session, actor, "user.disable" if disabled else "user.enable", "user", user.id)
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


def actor_by_id(session: Session, user_id: int) -> Actor:
    """The actor for a signed-in user id (from a session cookie); Unauthenticated if disabled."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        raise Unauthenticated("the session's user no longer exists or is disabled; sign in again")
    return _actor(user)


def local_actor(session: Session, username: str) -> Actor:
    """Act as an existing, enabled user without a password: only for the operator's CLI."""
    user = _user(session, username)
    if user.disabled:
        raise Unauthenticated(f"user {username!r} is disabled")
    return _actor(user)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, actor: Actor | None, username: str, label: str = "") -> str:
    """A new API token for ``username`` (admin, or the user for themself); shown only once."""
    if actor is None or actor.username != username:
        actor = require_role(actor, ADMIN_ONLY, "create tokens for other users")
    user = _user(session, username)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label, revoked=False)
    session.add(row)
    session.flush()
    audit.record(session, actor, "token.create", "api_token", row.id, after=row.id, user=username)
    return token


def authenticate_token(session: Session, token: str) -> Actor:
    """The actor an ``Authorization: Bearer`` token stands for; Unauthenticated otherwise."""
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _token_hash(token))
    ).first()
    if row is None or row.ApiToken.revoked or row.User.disabled:
        raise Unauthenticated("unknown, revoked or disabled API token")
    return _actor(row.User)

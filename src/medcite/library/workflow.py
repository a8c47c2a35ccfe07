"""The review workflow: states, roles, and which role may make which move.

    draft ──► submitted ──► under_review ──► approved ──► retracted
      ▲                          │   ▲           │
      │                          ▼   └───────────┘ (re-review, staleness)
      └──── changes_requested ◄──┘
            (└──► submitted, once a new version exists)

Editors write and submit; reviewers (the medical advisory board) review, approve, request
changes and retract; admins manage users. Readers (anonymous included) only read approved
articles. The staleness check moves approved articles back to under_review as the system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TypeVar

from medcite.library.errors import Forbidden, IllegalTransition, InvalidRequest, Unauthenticated


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    RETRACTED = "retracted"


class Role(StrEnum):
    READER = "reader"
    EDITOR = "editor"
    REVIEWER = "reviewer"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a user (from a password, token or session), or the system itself."""

    username: str
    role: Role
    user_id: int | None = None
    # When the actor came with an expiring API token: nothing it creates may outlive it.
    expires_at: datetime | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        """The operator on this machine (CLI) or an automatic check: admin rights, no user."""
        return cls(username=name, role=Role.ADMIN)


EDITOR_ROLES = frozenset({Role.EDITOR})
REVIEWER_ROLES = frozenset({Role.REVIEWER})
COMMENTER_ROLES = frozenset({Role.EDITOR, Role.REVIEWER})
STAFF_ROLES = frozenset({Role.EDITOR, Role.REVIEWER, Role.ADMIN})

# (from, to) -> roles allowed to make the move.
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = {
    (Status.DRAFT, Status.SUBMITTED): EDITOR_ROLES,
    (Status.SUBMITTED, Status.UNDER_REVIEW): REVIEWER_ROLES,
    (Status.UNDER_REVIEW, Status.APPROVED): REVIEWER_ROLES,
    (Status.UNDER_REVIEW, Status.CHANGES_REQUESTED): REVIEWER_ROLES,
    (Status.CHANGES_REQUESTED, Status.DRAFT): EDITOR_ROLES,
    (Status.CHANGES_REQUESTED, Status.SUBMITTED): EDITOR_ROLES,
    (Status.APPROVED, Status.RETRACTED): REVIEWER_ROLES,
    (Status.APPROVED, Status.UNDER_REVIEW): REVIEWER_ROLES,
}
# States in which an editor may add a new version.
EDITABLE = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})


_E = TypeVar("_E", bound=StrEnum)


def _parse(kind: type[_E], value: str, what: str) -> _E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise InvalidRequest(f"unknown {what} {value!r}; choose one of {choices}") from None


def parse_status(value: str) -> Status:
    return _parse(Status, value, "status")


def parse_role(value: str) -> Role:
    return _parse(Role, value, "role")


def require_role(actor: Actor | None, roles: frozenset[Role], doing: str) -> Actor:
    """The actor, if signed in with one of ``roles``; else Unauthenticated or Forbidden."""
    if actor is None:
        raise Unauthenticated(f"sign in to {doing}")
    if actor.role not in roles:
        allowed = " or ".join(sorted(r.value for r in roles))
        raise Forbidden(f"{actor.username} is {actor.role.value}; {doing} needs {allowed}")
    return actor


def require_role_for(actor: Actor | None, target: Status) -> Actor:
    """Raise unless ``actor`` has a role that may move some article to ``target``."""
    roles = frozenset().union(*(r for (_, to), r in TRANSITIONS.items() if to is target))
    if not roles:
        raise IllegalTransition(f"no article can be moved to {target.value}")
    return require_role(actor, roles, f"move an article to {target.value}")


def check_transition(actor: Actor | None, current: Status, target: Status) -> Actor:
    """Raise unless ``actor`` may move an article from ``current`` to ``target``."""
    require_role_for(actor, target)
    roles = TRANSITIONS.get((current, target))
    if roles is None:
        legal = [t.value for (f, t) in TRANSITIONS if f is current]
        raise IllegalTransition(
            f"an article that is {current.value} cannot become {target.value}; "
            f"possible: {', '.join(legal) or 'nothing (final state)'}"
        )
    return require_role(actor, roles, f"move an article from {current.value} to {target.value}")

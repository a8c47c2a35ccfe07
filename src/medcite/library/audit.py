"""The append-only audit log: every write records who did what to which row, and when.

There is deliberately no function here that changes or removes an entry, and the database
refuses UPDATE and DELETE on ``audit_entry`` with triggers (see the initial migration), so
not even raw SQL can rewrite history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from medcite.library.schema import AuditEntry
from medcite.library.workflow import Actor


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    *,
    before: object = None,
    after: object = None,
    **detail: Any,
) -> None:
    """Append one entry in the caller's transaction (so it commits or rolls back with it)."""
    session.add(
        AuditEntry(
            actor=actor.username,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before_id=None if before is None else str(before),
            after_id=None if after is None else str(after),
            detail=detail,
        )
    )


@dataclass(frozen=True, slots=True)
class AuditView:
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    before_id: str | None
    after_id: str | None
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def entries(session: Session, *, limit: int = 100, entity: str | None = None) -> list[AuditView]:
    """The newest entries first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return [
        AuditView(
            e.id,
            e.at.isoformat(),
            e.actor,
            e.action,
            e.entity,
            e.entity_id,
            e.before_id,
            e.after_id,
            dict(e.detail),
        )
        for e in session.scalars(query)
    ]

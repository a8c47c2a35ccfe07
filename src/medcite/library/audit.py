"""The append-only audit log: every write records who did what to which row, and when.

There is deliberately no function here that changes or removes an entry, and the database
refuses UPDATE and DELETE on ``audit_entry`` (and an INSERT dated before the newest entry)
with triggers (see the migrations), so not even raw SQL can rewrite history quietly.

The entries form a hash chain: each stores the previous entry's ``entry_hash`` as its
``prev_hash`` and its own ``entry_hash`` over its content and that link. Whoever bypasses the
triggers (drops them, edits the file) breaks the chain, and :func:`verify_chain` names the
first entry that no longer fits. Appends are serialized (SQLite's write lock; a transaction
advisory lock on PostgreSQL) so that two transactions never chain onto the same entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from medcite.library.schema import AuditEntry, utcnow
from medcite.library.workflow import Actor

# pg_advisory_xact_lock key of audit appends (any constant no other lock of ours uses).
_APPEND_LOCK = 7246017


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
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({_APPEND_LOCK})"))
    # Read after the lock (this also flushes the transaction's earlier entries): the newest
    # entry is the one this chains onto. Never dated before it, even if the clock was set
    # back (the database would refuse a backdated entry, and with it the write it records).
    newest = session.execute(
        select(AuditEntry.entry_hash, AuditEntry.at).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    prev, at = (newest[0], max(utcnow(), newest[1])) if newest else (None, utcnow())
    entry = AuditEntry(
        at=at,
        actor=actor.username,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before_id=None if before is None else str(before),
        after_id=None if after is None else str(after),
        detail=detail,
        prev_hash=prev,
    )
    entry.entry_hash = entry_hash(entry)
    session.add(entry)


def entry_hash(entry: AuditEntry) -> str:
    """SHA-256 over an entry's content and its ``prev_hash`` (canonical JSON)."""
    content = {
        "at": entry.at.astimezone(UTC).isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "entity": entry.entity,
        "entity_id": entry.entity_id,
        "before_id": entry.before_id,
        "after_id": entry.after_id,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first entry that does not fit the chain, and why."""

    entry_id: int
    problem: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.entry_id, "problem": self.problem}


@dataclass(frozen=True, slots=True)
class ChainState:
    """What a walk of the log found: entries checked, the first broken one, and the newest
    entry's id and hash (the head: note it, and a later check shows the log grew from it)."""

    entries: int
    broken: ChainBreak | None
    head_id: int | None
    head_hash: str | None


def verify_chain(session: Session) -> ChainState:
    """Walk the log in id order up to the first entry that does not fit the chain."""
    prev: tuple[int, str | None, datetime] | None = None
    count, broken = 0, None
    for entry in _in_id_order(session):
        count += 1
        problem = _misfit(entry, prev)
        if problem:
            broken = ChainBreak(entry.id, problem)
            break
        prev = (entry.id, entry.entry_hash, entry.at)
    head_id, head_hash = (prev[0], prev[1]) if prev else (None, None)
    return ChainState(count, broken, head_id, head_hash)


def _in_id_order(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry, a batch at a time (no cursor left open when the walk stops early)."""
    after = 0
    while True:
        query = select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id)
        entries = list(session.scalars(query.limit(batch)))
        yield from entries
        if len(entries) < batch:
            return
        after = entries[-1].id
        session.expunge_all()  # keep memory flat over a long log


def _misfit(entry: AuditEntry, prev: tuple[int, str | None, datetime] | None) -> str | None:
    if entry.entry_hash is None:
        return "it has no hash (written outside medcite)"
    if prev is None and entry.prev_hash is not None:
        return "it chains onto an entry that is gone (the log's first entries were removed)"
    if prev is not None and entry.prev_hash != prev[1]:
        return f"it does not chain onto entry {prev[0]} (an entry was removed or inserted)"
    if prev is not None and entry.at < prev[2]:
        return f"it is dated before entry {prev[0]} (backdated)"
    if entry.entry_hash != entry_hash(entry):
        return "its content does not match its hash (changed after it was written)"
    return None


def chained_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (audit_entry rows in id order) with ``prev_hash``/``entry_hash`` filled in:
    the chain over a log written before entries were chained (used by the migration)."""
    out, prev = [], None
    for row in rows:
        entry = AuditEntry(**{k: v for k, v in row.items() if k != "entry_hash"})
        entry.prev_hash = prev
        prev = entry_hash(entry)
        out.append({"id": row["id"], "prev_hash": entry.prev_hash, "entry_hash": prev})
    return out


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

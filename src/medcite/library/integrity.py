"""``medcite library check``: is the library's history what medcite wrote?

The database refuses rewrites (see the migrations' triggers); this finds what got past them
(triggers dropped, the file edited): the first audit entry that breaks the hash chain, cited
passages whose text no longer matches the hash taken when they were cited, and approvals the
review history does not record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from medcite.library.audit import ChainBreak, ChainState, verify_chain
from medcite.library.schema import Article, CitedPassage, ReviewEvent
from medcite.library.workflow import Status
from medcite.models import sha256_hex

# The report lists at most this many findings of each kind beyond the first chain break.
LIMIT = 100


@dataclass(slots=True)
class IntegrityReport:
    chain: ChainState
    problems: list[str] = field(default_factory=list)

    @property
    def audit_entries(self) -> int:
        return self.chain.entries

    @property
    def broken_entry(self) -> ChainBreak | None:
        return self.chain.broken

    @property
    def ok(self) -> bool:
        return self.broken_entry is None and not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "audit_entries": self.audit_entries,
            "first_broken_entry": self.broken_entry.to_dict() if self.broken_entry else None,
            # The last entry that fits the chain: a hash kept elsewhere (a ticket, a log) is
            # the anchor a later check compares against, since anyone able to rewrite the
            # whole table could also recompute every hash.
            "head": {"id": self.chain.head_id, "hash": self.chain.head_hash},
            "problems": self.problems,
        }


def check(session: Session) -> IntegrityReport:
    return IntegrityReport(verify_chain(session), [*_cited_passages(session), *_approvals(session)])


def _cited_passages(session: Session) -> list[str]:
    found = []
    query = select(CitedPassage).order_by(CitedPassage.version_id, CitedPassage.passage_id)
    for cited in session.scalars(query):
        if sha256_hex(cited.text) != cited.content_hash:
            found.append(
                f"cited passage {cited.passage_id} of version id {cited.version_id}: its text "
                "does not match the hash taken when it was cited"
            )
            if len(found) >= LIMIT:
                break
    return found


def _approvals(session: Session) -> list[str]:
    """Every approved article's approver and version are those of its last approval event."""
    latest = (
        select(ReviewEvent.article_id, func.max(ReviewEvent.id).label("event_id"))
        .where(ReviewEvent.to_status == Status.APPROVED.value)
        .group_by(ReviewEvent.article_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Article.id,
            Article.approved_by,
            Article.approved_version_id,
            ReviewEvent.actor,
            ReviewEvent.version_id,
        )
        .outerjoin(latest, latest.c.article_id == Article.id)
        .outerjoin(ReviewEvent, ReviewEvent.id == latest.c.event_id)
        .where(Article.approved_version_id.is_not(None))
        .order_by(Article.id)
    )
    return [
        f"article {article_id}: approved by {by} (version id {version_id}), which its review "
        "history does not record"
        for article_id, by, version_id, actor, event_version in rows
        if (actor, event_version) != (by, version_id)
    ][:LIMIT]

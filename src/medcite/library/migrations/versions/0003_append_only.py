"""Approved evidence and review history append-only at the database; audit entries chained.

- ``review_event``, ``review_comment``, ``cited_passage``: UPDATE and DELETE refused;
  ``article_version``: DELETE refused too (UPDATE already was).
- ``article``: who approved (``approved_by``) and what (``approved_version_id``) change only
  when the article becomes approved; a version pointer may also be filled in once (NULL →
  value, as an import restores it). Status, lock and review dates stay the app's to update.
- ``audit_entry``: an INSERT dated before the newest entry is refused; two columns chain the
  entries by hash (``prev_hash``, ``entry_hash``), filled in here for entries already written.

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from medcite.library.audit import chained_rows
from medcite.library.migrations.triggers import drop, refuse, trigger_name
from medcite.library.schema import AuditEntry

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "review_event": ("UPDATE", "DELETE"),
    "review_comment": ("UPDATE", "DELETE"),
    "cited_passage": ("UPDATE", "DELETE"),
    "article_version": ("DELETE",),
}
# The columns an entry had before this revision (the ORM table may grow later ones).
_CONTENT = ("id", "at", "actor", "action", "entity", "entity_id", "before_id", "after_id", "detail")
APPROVAL = trigger_name("article", "update", "_of_approval")
BACKDATED = trigger_name("audit_entry", "insert", "_backdated")


def _approval_tampering(sqlite: bool) -> str:
    """An UPDATE of article that changes who or what was approved outside an approval."""
    differs = "IS NOT" if sqlite else "IS DISTINCT FROM"
    return (
        f"((NEW.approved_by {differs} OLD.approved_by)"
        f" OR (OLD.approved_version_id IS NOT NULL"
        f" AND NEW.approved_version_id {differs} OLD.approved_version_id))"
        " AND NOT (OLD.status <> 'approved' AND NEW.status = 'approved')"
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.add_column("audit_entry", sa.Column("prev_hash", sa.String(64)))
    op.add_column("audit_entry", sa.Column("entry_hash", sa.String(64)))
    _chain_existing_entries(sqlite)
    for table, statements in APPEND_ONLY.items():
        for statement in statements:
            refuse(sqlite, table, statement)
    refuse(
        sqlite,
        "article",
        "UPDATE",
        columns=("approved_by", "approved_version_id"),
        when=_approval_tampering(sqlite),
        name=APPROVAL,
        message="article approval is append-only: approved_by and approved_version_id "
        "change only when the article is approved",
    )
    refuse(
        sqlite,
        "audit_entry",
        "INSERT",
        when="NEW.at < (SELECT MAX(at) FROM audit_entry)",
        name=BACKDATED,
        message="audit_entry is append-only: an entry dated before the newest is refused",
    )


def _chain_existing_entries(sqlite: bool) -> None:
    """Hash the entries written before the chain existed (the UPDATE trigger steps aside)."""
    table: sa.Table = AuditEntry.__table__  # type: ignore[assignment]
    bind = op.get_bind()
    content = [table.c[name] for name in _CONTENT]
    rows = [dict(r) for r in bind.execute(sa.select(*content).order_by(table.c.id)).mappings()]
    if not rows:
        return
    update_trigger = trigger_name("audit_entry", "update")
    drop(sqlite, "audit_entry", update_trigger)
    bind.execute(
        table.update()
        .where(table.c.id == sa.bindparam("row_id"))
        .values(prev_hash=sa.bindparam("prev"), entry_hash=sa.bindparam("own")),
        [
            {"row_id": r["id"], "prev": r["prev_hash"], "own": r["entry_hash"]}
            for r in chained_rows(rows)
        ],
    )
    refuse(sqlite, "audit_entry", "UPDATE")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    drop(sqlite, "audit_entry", BACKDATED)
    drop(sqlite, "article", APPROVAL)
    for table, statements in APPEND_ONLY.items():
        for statement in statements:
            drop(sqlite, table, trigger_name(table, statement))
    op.drop_column("audit_entry", "entry_hash")
    op.drop_column("audit_entry", "prev_hash")

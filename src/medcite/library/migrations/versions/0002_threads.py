"""Follow-up threads: ``thread`` and ``thread_turn`` (their own branch, ``threads``).

A branch of its own because threads live in the library's database by default yet may be
used before (or without) a library: ``upgrade threads@head`` creates them alone. Databases
whose thread tables an earlier medcite created itself keep them as they are.

Revision ID: 0002
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = None
branch_labels = ("threads",)
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("thread"):
        return  # created before the tables were migrated: the same columns
    op.create_table(
        "thread",
        sa.Column("thread_id", sa.String, primary_key=True),
        sa.Column("created_at", sa.String, nullable=False),
        sa.Column("audience", sa.String, nullable=False),
    )
    op.create_table(
        "thread_turn",
        sa.Column("thread_id", sa.String, sa.ForeignKey("thread.thread_id"), primary_key=True),
        sa.Column("ordinal", sa.Integer, primary_key=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("answering", sa.Text, nullable=False),
        sa.Column("asked_at", sa.String, nullable=False),
        sa.Column("answer", sa.Text),
    )
    op.create_index("ix_thread_turn_asked_at", "thread_turn", ["asked_at"])


def downgrade() -> None:
    op.drop_index("ix_thread_turn_asked_at", "thread_turn")
    op.drop_table("thread_turn")
    op.drop_table("thread")

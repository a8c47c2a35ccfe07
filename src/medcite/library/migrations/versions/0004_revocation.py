"""Revocation: server-side browser sessions (``user_session``) and API token expiry.

A session cookie names a ``user_session`` row, which logout, a password change and disabling
the user end; ``api_token.expires_at`` (NULL: until revoked) bounds a token's life.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("api_token", sa.Column("expires_at", sa.DateTime(timezone=True)))
    op.create_table(
        "user_session",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("library_user.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("ended_reason", sa.String(20)),
    )
    op.create_index("ix_user_session_user_id", "user_session", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_user_session_user_id", "user_session")
    op.drop_table("user_session")
    with op.batch_alter_table("api_token") as table:
        table.drop_column("expires_at")

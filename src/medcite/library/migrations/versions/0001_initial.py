"""Initial library schema: users, tokens, questions, articles, versions, review, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from medcite.library.migrations.triggers import drop, refuse, trigger_name

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Table -> statements refused on it (rows never change once written).
APPEND_ONLY = {"audit_entry": ("UPDATE", "DELETE"), "article_version": ("UPDATE",)}
_VERSION_FKS = ("current_version_id", "approved_version_id")


def _when() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "library_user",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("disabled", sa.Boolean, nullable=False),
        _when(),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("library_user.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        _when(),
    )
    op.create_index("ix_api_token_user_id", "api_token", ["user_id"])
    op.create_table(
        "question",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("normalized", sa.String(2000), nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("slug", sa.String(120), nullable=False, unique=True),
        _when(),
        sa.UniqueConstraint("normalized", "audience"),
    )
    # article <-> article_version reference each other: SQLite accepts the forward reference
    # inline; PostgreSQL gets the two constraints once both tables exist.
    version_fks = (
        [
            sa.ForeignKeyConstraint([c], ["article_version.id"], name=f"fk_article_{c}")
            for c in _VERSION_FKS
        ]
        if sqlite
        else []
    )
    op.create_table(
        "article",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "question_id", sa.Integer, sa.ForeignKey("question.id"), nullable=False, unique=True
        ),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("topic", sa.String(200)),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("current_version_id", sa.Integer),
        sa.Column("approved_version_id", sa.Integer),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.Column("approved_by", sa.String(80)),
        sa.Column("stale_reason", sa.Text),
        _when(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lock_version", sa.Integer, nullable=False),
        *version_fks,
    )
    op.create_index("ix_article_topic", "article", ["topic"])
    op.create_index("ix_article_audience", "article", ["audience"])
    op.create_index("ix_article_status_updated", "article", ["status", "updated_at"])
    op.create_index("ix_article_status_approved", "article", ["status", "approved_at"])
    op.create_index("ix_article_updated", "article", ["updated_at", "id"])
    op.create_table(
        "article_search",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("article.id"), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "article_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("article.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("answer", sa.JSON, nullable=False),
        sa.Column("engine_version", sa.String(40)),
        sa.Column("corpus_version", sa.String(40)),
        sa.Column("created_by", sa.String(80), nullable=False),
        _when(),
        sa.UniqueConstraint("article_id", "number"),
    )
    op.create_index("ix_article_version_article_id", "article_version", ["article_id"])
    if not sqlite:
        for column in _VERSION_FKS:
            op.create_foreign_key(
                f"fk_article_{column}", "article", "article_version", [column], ["id"]
            )
    op.create_table(
        "cited_passage",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("article_version.id"), primary_key=True),
        sa.Column("passage_id", sa.String(64), primary_key=True),
        sa.Column("doc_id", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_cited_passage_passage_id", "cited_passage", ["passage_id"])
    op.create_table(
        "review_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("article.id"), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("article_version.id")),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text, nullable=False),
        _when(),
    )
    op.create_index("ix_review_event_article_id", "review_event", ["article_id"])
    op.create_table(
        "review_comment",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("article_version.id"), nullable=False),
        sa.Column("statement", sa.String(40)),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        _when(),
    )
    op.create_index("ix_review_comment_version_id", "review_comment", ["version_id"])
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(80), nullable=False),
        sa.Column("before_id", sa.String(80)),
        sa.Column("after_id", sa.String(80)),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    for table, statements in APPEND_ONLY.items():
        for statement in statements:
            refuse(sqlite, table, statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, statements in APPEND_ONLY.items():
        for statement in statements:
            drop(sqlite, table, trigger_name(table, statement))
    if sqlite:  # SQLite cannot drop a constraint: empty the columns it guards instead
        op.execute("UPDATE article SET current_version_id = NULL, approved_version_id = NULL")
    else:
        for column in _VERSION_FKS:
            op.drop_constraint(f"fk_article_{column}", "article", type_="foreignkey")
    for table in (
        "audit_entry",
        "review_comment",
        "review_event",
        "cited_passage",
        "article_version",
        "article_search",
        "article",
        "question",
        "api_token",
        "library_user",
    ):
        op.drop_table(table)

"""The editorial library's tables (SQLAlchemy 2 ORM), the same on SQLite and PostgreSQL.

Question → Article → immutable ArticleVersions (full answer JSON + the exact cited passages);
ReviewEvents record every move of an article through the workflow; Comments attach to a
version or to one statement of it; AuditEntries record every write. To add a table (e.g. the
follow-up threads of issue 10): declare it here and add a migration in ``migrations/versions``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no zone; we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "library_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """An API token; only its SHA-256 is stored (tokens are 256 random bits, so no salt)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("library_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: until revoked


class UserSession(Base):
    """A browser session: the signed cookie names it, so ending the row ends the cookie.

    ``id`` is the SHA-256 of the cookie's random session id (like tokens, never the id itself);
    ``ended_reason`` says why it ended: ``logout``, ``password`` or ``disabled``."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("library_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(20))


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("normalized", "audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(2000))
    audience: Mapped[str] = mapped_column(String(20))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Article(Base):
    """One question's article. ``lock_version`` is the optimistic-locking row counter."""

    __tablename__ = "article"
    __table_args__ = (
        Index("ix_article_status_updated", "status", "updated_at"),
        Index("ix_article_status_approved", "status", "approved_at"),
        Index("ix_article_updated", "updated_at", "id"),  # the queue's order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), unique=True)
    title: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(200), index=True)
    audience: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_version.id", use_alter=True, name="fk_article_current_version")
    )
    approved_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("article_version.id", use_alter=True, name="fk_article_approved_version")
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by: Mapped[str | None] = mapped_column(String(80))
    stale_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    question: Mapped[Question] = relationship(lazy="joined")
    __mapper_args__ = {"version_id_col": lock_version}


class ArticleSearch(Base):
    """The approved version's lowercased text, for library search (kept out of ``article``
    so that list and queue pages never read it)."""

    __tablename__ = "article_search"

    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class ArticleVersion(Base):
    """An immutable snapshot of an article's answer (database triggers refuse updates)."""

    __tablename__ = "article_version"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    engine_version: Mapped[str | None] = mapped_column(String(40))
    corpus_version: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CitedPassage(Base):
    """A passage a version cites, with its text exactly as the corpus held it when the version
    was made (checked then; database triggers refuse updates and deletes)."""

    __tablename__ = "cited_passage"

    version_id: Mapped[int] = mapped_column(ForeignKey("article_version.id"), primary_key=True)
    passage_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    doc_id: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))


class ReviewEvent(Base):
    """One move through the workflow (``kind`` = transition) or a staleness finding
    (append-only: database triggers refuse updates and deletes)."""

    __tablename__ = "review_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("article_version.id"))
    kind: Mapped[str] = mapped_column(String(20), default="transition")
    actor: Mapped[str] = mapped_column(String(80))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Comment(Base):
    """A reviewer's note on a version, or on one statement (``statement`` = its path);
    append-only like the review events."""

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("article_version.id"), index=True)
    statement: Mapped[str | None] = mapped_column(String(40))  # "bottom_line" or "s2.3"
    author: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """Append-only record of a write (database triggers refuse updates, deletes and backdated
    inserts); ``prev_hash``/``entry_hash`` chain the entries (see :mod:`medcite.library.audit`)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    before_id: Mapped[str | None] = mapped_column(String(80))
    after_id: Mapped[str | None] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))

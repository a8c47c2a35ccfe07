"""Conversation threads: ids, their turns (question, what was answered, the answer JSON).

``ThreadStore`` is the Protocol the engine, the CLI and (later) the API use; ``SqlThreadStore``
keeps threads in two tables (``thread``, ``thread_turn``) of any SQLAlchemy database — its own
SQLite file by default, so the tables can later move into the editorial database unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import (
    Column,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
)

from medcite.corpus.database import writing
from medcite.errors import DataNotFound

metadata = MetaData()
thread_table = Table(
    "thread",
    metadata,
    Column("thread_id", String, primary_key=True),
    Column("created_at", String, nullable=False),
    Column("audience", String, nullable=False),
)
turn_table = Table(
    "thread_turn",
    metadata,
    Column("thread_id", String, ForeignKey("thread.thread_id"), primary_key=True),
    Column("ordinal", Integer, primary_key=True),  # 1, 2, ... within the thread
    Column("question", Text, nullable=False),  # as asked
    Column("answering", Text, nullable=False),  # what was answered (the rewrite)
    Column("asked_at", String, nullable=False, index=True),
    Column("answer", Text),  # the answer JSON (answer.schema.json), if kept
)


class ThreadNotFound(DataNotFound):
    pass


@dataclass(frozen=True)
class ThreadTurn:
    ordinal: int
    question: str
    answering: str
    asked_at: str
    answer: dict[str, Any] | None = None


@dataclass(frozen=True)
class Thread:
    thread_id: str
    created_at: str
    audience: str
    turns: list[ThreadTurn] = field(default_factory=list)

    @property
    def questions(self) -> list[str]:
        """The questions asked so far, oldest first: a follow-up's ``history``."""
        return [t.question for t in self.turns]

    @property
    def latest_audience(self) -> str:
        """The audience of the thread's latest answer (readers may switch mid-thread)."""
        for turn in reversed(self.turns):
            if turn.answer and turn.answer.get("audience"):
                return str(turn.answer["audience"])
        return self.audience

    def to_dict(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id,
            "created_at": self.created_at,
            "audience": self.audience,
            "turns": [vars(t) for t in self.turns],
        }


class ThreadStore(Protocol):
    """Where threads live. Thread ids are short, URL-safe and unguessable."""

    def create(self, *, audience: str = "clinician") -> Thread: ...

    def get(self, thread_id: str) -> Thread:
        """The thread with its turns; raises ThreadNotFound."""
        ...

    def add_turn(
        self, thread_id: str, question: str, answering: str, answer: dict[str, Any] | None
    ) -> ThreadTurn: ...

    def close(self) -> None: ...


class SqlThreadStore:
    """ThreadStore over a SQLAlchemy engine whose tables exist: they are created by the
    library's migrations (``medcite.library.db.open_thread_store``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writing(engine)

    def close(self) -> None:
        self.engine.dispose()

    def create(self, *, audience: str = "clinician") -> Thread:
        thread = Thread(secrets.token_urlsafe(9), _now(), audience)
        with self._writer.begin() as conn:
            conn.execute(
                insert(thread_table).values(
                    thread_id=thread.thread_id, created_at=thread.created_at, audience=audience
                )
            )
        return thread

    def get(self, thread_id: str) -> Thread:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(thread_table).where(thread_table.c.thread_id == thread_id)
            ).first()
            if row is None:
                raise ThreadNotFound(
                    f"no thread {thread_id!r} (start one with `medcite ask --new-thread` "
                    "or POST /api/v1/threads)"
                )
            turns = conn.execute(
                select(turn_table)
                .where(turn_table.c.thread_id == thread_id)
                .order_by(turn_table.c.ordinal)
            ).all()
        return Thread(
            row.thread_id,
            row.created_at,
            row.audience,
            [
                ThreadTurn(
                    t.ordinal,
                    t.question,
                    t.answering,
                    t.asked_at,
                    json.loads(t.answer) if t.answer else None,
                )
                for t in turns
            ],
        )

    def add_turn(
        self, thread_id: str, question: str, answering: str, answer: dict[str, Any] | None
    ) -> ThreadTurn:
        with self._writer.begin() as conn:
            if (
                conn.execute(
                    select(thread_table.c.thread_id).where(thread_table.c.thread_id == thread_id)
                ).first()
                is None
            ):
                raise ThreadNotFound(f"no thread {thread_id!r}")
            last = conn.execute(
                select(func.max(turn_table.c.ordinal)).where(turn_table.c.thread_id == thread_id)
            ).scalar()
            turn = ThreadTurn((last or 0) + 1, question, answering, _now(), answer)
            conn.execute(
                insert(turn_table).values(
                    thread_id=thread_id,
                    ordinal=turn.ordinal,
                    question=question,
                    answering=answering,
                    asked_at=turn.asked_at,
                    answer=json.dumps(answer, ensure_ascii=False) if answer is not None else None,
                )
            )
        return turn


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")

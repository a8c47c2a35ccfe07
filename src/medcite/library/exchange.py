"""Export and import the whole library as JSONL: backups, and moving SQLite ↔ PostgreSQL.

The first line is a header ``{"format": "medcite-library", "schema": "<revision>"}``; every
other line is ``{"table": name, "row": {column: value}}`` in an order that satisfies foreign
keys (ids are kept, so references survive). Datetimes are ISO 8601 UTC, JSON columns stay JSON.

Secrets: by default password hashes are left out (the users then need a new password, see
``medcite users password``) and API tokens are not exported at all; ``with_secrets=True``
exports both (argon2 and SHA-256 hashes, never plain text) for a true one-to-one backup.

Import fills an EMPTY library in one transaction: a bad line rejects the whole file with
its line number, and nothing is half-imported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Table, func, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from medcite.library import audit
from medcite.library.errors import ImportRejected
from medcite.library.schema import (
    ApiToken,
    Article,
    ArticleSearch,
    ArticleVersion,
    AuditEntry,
    Base,
    CitedPassage,
    Comment,
    Question,
    ReviewEvent,
    User,
    UTCDateTime,
)
from medcite.library.workflow import Actor

FORMAT = "medcite-library"
SCHEMA = "0001"
# Parents before children; article's version pointers are restored after the versions.
ORDER: list[type[Base]] = [
    User,
    ApiToken,
    Question,
    Article,
    ArticleSearch,
    ArticleVersion,
    CitedPassage,
    ReviewEvent,
    Comment,
    AuditEntry,
]
_DEFERRED = ("current_version_id", "approved_version_id")


def _table(model: type[Base]) -> Table:
    return model.__table__  # type: ignore[return-value]


def export_lines(session: Session, *, with_secrets: bool = False) -> Iterator[str]:
    """The library as JSONL lines (without newlines)."""
    yield json.dumps({"format": FORMAT, "schema": SCHEMA, "secrets": with_secrets})
    for model in ORDER:
        if model is ApiToken and not with_secrets:
            continue
        table = _table(model)
        for row in session.execute(select(table).order_by(*table.primary_key.columns)).mappings():
            values = {k: _out(v) for k, v in row.items()}
            if model is User and not with_secrets:
                values["password_hash"] = None
            yield json.dumps(
                {"table": table.name, "row": values}, ensure_ascii=False, sort_keys=True
            )


def _out(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def import_lines(
    session: Session, actor: Actor, lines: Iterable[str], *, source: str
) -> dict[str, int]:
    """Load an export into an empty library; returns rows per table."""
    if session.scalar(select(func.count()).select_from(_table(User))) or session.scalar(
        select(func.count()).select_from(_table(Article))
    ):
        raise ImportRejected("the target library is not empty; import only into a new database")
    tables = {_table(m).name: _table(m) for m in ORDER}
    counts: dict[str, int] = {}
    deferred: list[dict[str, Any]] = []
    numbered = enumerate(lines, 1)
    _check_header(next(numbered, (1, "")), source)
    for number, line in numbered:
        if not line.strip():
            continue
        where = f"{source}: line {number}"
        try:
            item = json.loads(line)
            table = tables[item["table"]]
            row = {
                c.name: _in(c.type, item["row"][c.name])
                for c in table.columns
                if c.name in item["row"]
            }
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ImportRejected(f"{where}: not a library record ({exc!r})") from None
        if table.name == "article":
            deferred.append({"id": row["id"], **{k: row.pop(k, None) for k in _DEFERRED}})
        try:
            with session.begin_nested():
                session.execute(table.insert(), [row])
        except SQLAlchemyError as exc:  # the database's own reason, named by line
            reason = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0]
            raise ImportRejected(f"{where}: {table.name} row rejected: {reason}") from None
        counts[table.name] = counts.get(table.name, 0) + 1
    for pointers in deferred:
        session.execute(
            update(_table(Article))
            .where(_table(Article).c.id == pointers.pop("id"))
            .values(**pointers)
        )
    _reset_sequences(session)
    audit.record(session, actor, "library.import", "library", source, rows=sum(counts.values()))
    return counts


def _check_header(first: tuple[int, str], source: str) -> None:
    try:
        header = json.loads(first[1])
    except json.JSONDecodeError:
        header = {}
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ImportRejected(f"{source}: line 1: not a medcite library export (no header)")
    if header.get("schema") != SCHEMA:
        raise ImportRejected(
            f"{source}: line 1: schema {header.get('schema')!r}, expected {SCHEMA}"
        )


def _in(column_type: Any, value: Any) -> Any:
    if value is not None and isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    return value


def _reset_sequences(session: Session) -> None:
    """PostgreSQL: move each id sequence past the imported ids."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in ORDER:
        table = _table(model)
        if "id" in table.c and table.c.id.primary_key:
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
                )
            )


def write_export(session: Session, out: IO[str], *, with_secrets: bool = False) -> int:
    """Write the export to ``out``; returns the number of records (header excluded)."""
    lines = export_lines(session, with_secrets=with_secrets)
    out.write(next(lines) + "\n")
    count = 0
    for line in lines:
        out.write(line + "\n")
        count += 1
    return count

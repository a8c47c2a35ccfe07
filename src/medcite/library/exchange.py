"""Export and import the whole library as JSONL: backups, and moving SQLite ↔ PostgreSQL.

The first line is a header ``{"format": "medcite-library", "schema": "<revision>"}``; every
other line is ``{"table": name, "row": {column: value}}`` for every table the library owns
(its own, sessions and tokens included, and the follow-up threads with their turns), parents
before children (ids are kept, so references survive); the last line is a trailer
``{"trailer": {"counts": {table: rows}, "sha256": <hex>}}``, the hash of every line before it
(UTF-8, each ended by a newline). Datetimes are ISO 8601 UTC, JSON columns stay JSON.
:func:`replacing` writes a file beside its target and renames it over the target once
complete, so a killed export leaves the previous file (and perhaps a hidden ``.partial``).

Secrets: by default password hashes are left out (the users then need a new password, see
``medcite users password``) and API tokens and browser sessions are not exported at all;
``with_secrets=True`` exports them (argon2 and SHA-256 hashes, never plain text) for a true
one-to-one backup.

Import fills an EMPTY library in one transaction and refuses a file without its trailer, whose
hash or counts do not match its lines, or with a bad record (named by line): nothing is
half-imported. Append-only tables only ever get INSERTs.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Integer, Table, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from medcite.library import audit
from medcite.library.errors import ImportRejected
from medcite.library.schema import Base, UTCDateTime
from medcite.library.workflow import Actor
from medcite.reader.threads import metadata as thread_metadata

FORMAT = "medcite-library"
SCHEMA = "0004"
SECRET_TABLES = frozenset({"api_token", "user_session"})
# article's version pointers refer forward to article_version: restored after the versions.
_DEFERRED = {"article": ("current_version_id", "approved_version_id")}


def library_tables() -> list[Table]:
    """Every table the library owns, parents before children (foreign keys declared with
    ``use_alter`` do not order them: see ``_DEFERRED``)."""
    return [*Base.metadata.sorted_tables, *thread_metadata.sorted_tables]


def snapshot(session: Session) -> None:
    """Make ``session`` (before its first statement) read one consistent state of every
    table: SQLite's read transaction already does; PostgreSQL needs REPEATABLE READ."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def export_lines(session: Session, *, with_secrets: bool = False) -> Iterator[str]:
    """The library as JSONL lines (without newlines), the trailer last."""
    digest = hashlib.sha256()
    counts: dict[str, int] = {}

    def sealed(line: str) -> str:
        digest.update(f"{line}\n".encode())
        return line

    yield sealed(json.dumps({"format": FORMAT, "schema": SCHEMA, "secrets": with_secrets}))
    for table in library_tables():
        if table.name in SECRET_TABLES and not with_secrets:
            continue
        counts[table.name] = 0
        for row in session.execute(select(table).order_by(*table.primary_key.columns)).mappings():
            values = {k: _out(v) for k, v in row.items()}
            if table.name == "library_user" and not with_secrets:
                values["password_hash"] = None
            counts[table.name] += 1
            yield sealed(
                json.dumps({"table": table.name, "row": values}, ensure_ascii=False, sort_keys=True)
            )
    yield json.dumps({"trailer": {"counts": counts, "sha256": digest.hexdigest()}})


def _out(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def write_export(session: Session, out: IO[str], *, with_secrets: bool = False) -> int:
    """Write the export to ``out``; returns the number of records (header and trailer
    excluded)."""
    lines = 0
    for line in export_lines(session, with_secrets=with_secrets):
        out.write(line + "\n")
        lines += 1
    return lines - 2


@contextmanager
def replacing(path: Path) -> Iterator[IO[str]]:
    """A file to write ``path``'s new content into: a hidden temporary beside it (mode 0600),
    flushed to disk and renamed over ``path`` when the block ends without error, removed
    when it fails."""
    path = Path(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


def import_lines(
    session: Session, actor: Actor, lines: Iterable[str], *, source: str
) -> dict[str, int]:
    """Load an export into an empty library; returns rows per table.

    One pass: rows are inserted as they are read and the trailer is checked at the end; any
    refusal raises, and the caller's transaction rolls everything back. After a bad record
    the lines are still read (not inserted), so that a damaged file is named as damaged."""
    tables = {table.name: table for table in library_tables()}
    _require_empty(session, tables.values())
    check = _Check(source)
    counts: dict[str, int] = {}
    deferred: list[tuple[Table, Any, dict[str, Any]]] = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\n")
        if not check.take(number, line):
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
            check.bad(f"{where}: not a library record ({exc!r})")
            continue
        counts[table.name] = counts.get(table.name, 0) + 1
        if check.failed:
            continue
        pointers = {k: row.pop(k, None) for k in _DEFERRED.get(table.name, ())}
        if pointers:
            deferred.append((table, row["id"], pointers))
        try:
            with session.begin_nested():
                session.execute(table.insert(), [row])
        except SQLAlchemyError as exc:  # the database's own reason, named by line
            reason = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0]
            check.bad(f"{where}: {table.name} row rejected: {reason}")
    check.verify(counts)
    for table, row_id, pointers in deferred:
        session.execute(update(table).where(table.c.id == row_id).values(**pointers))
    _reset_sequences(session, tables.values())
    audit.record(session, actor, "library.import", "library", source, rows=sum(counts.values()))
    return counts


def _require_empty(session: Session, tables: Iterable[Table]) -> None:
    for table in tables:
        if session.execute(select(1).select_from(table).limit(1)).first() is not None:
            raise ImportRejected(
                f"the target library is not empty ({table.name} has rows); "
                "import only into a new database"
            )


class _Check:
    """What the file's own header and trailer say, against what its lines hold."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.trailer: dict[str, Any] | None = None
        self.first_problem: str | None = None
        self.last_line = 0

    @property
    def failed(self) -> bool:
        return self.first_problem is not None

    def bad(self, problem: str) -> None:
        self.first_problem = self.first_problem or problem

    def take(self, number: int, line: str) -> bool:
        """Account for one line; True if it is a record to load."""
        self.last_line = number
        if self.trailer is not None:
            if line.strip():
                raise ImportRejected(f"{self.source}: line {number}: records after the trailer")
            return False
        trailer = _trailer(line)
        if trailer is not None:
            self.trailer = trailer
            return False
        self.digest.update(f"{line}\n".encode())
        if number == 1:
            _check_header(line, self.source)
            return False
        return bool(line.strip())

    def verify(self, counts: dict[str, int]) -> None:
        """Raise unless the trailer was there and its hash and counts match the lines."""
        problem = None
        if self.last_line == 0:
            raise ImportRejected(f"{self.source}: line 1: not a medcite library export (empty)")
        if self.trailer is None:
            problem = f"no trailer: the export is incomplete (it stops after line {self.last_line})"
        elif self.trailer["sha256"] != self.digest.hexdigest():
            problem = "its sha256 does not match its lines: the file was altered or damaged"
        else:
            expected = self.trailer["counts"]
            wrong = [
                f"{name}: {expected.get(name, 0)} counted, {counts.get(name, 0)} found"
                for name in sorted(set(expected) | set(counts))
                if expected.get(name, 0) != counts.get(name, 0)
            ]
            problem = "the trailer's counts do not match: " + "; ".join(wrong) if wrong else None
        if problem is not None:
            first = f"; first bad record: {self.first_problem}" if self.first_problem else ""
            raise ImportRejected(f"{self.source}: {problem}{first}")
        if self.first_problem is not None:
            raise ImportRejected(self.first_problem)


def _trailer(line: str) -> dict[str, Any] | None:
    if not line.startswith('{"trailer"'):
        return None
    try:
        trailer = json.loads(line)["trailer"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return None
    if not isinstance(trailer.get("counts"), dict) or not isinstance(trailer.get("sha256"), str):
        return None
    return dict(trailer)


def _check_header(line: str, source: str) -> None:
    try:
        header = json.loads(line)
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


def _reset_sequences(session: Session, tables: Iterable[Table]) -> None:
    """PostgreSQL: move each integer id sequence past the imported ids."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, Integer):
            session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"
                )
            )

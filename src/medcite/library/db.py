"""The library database's sessions and schema (Alembic, in-package).

The engine comes from :func:`medcite.corpus.database.open_database` (the one SQLite policy:
writers begin with ``BEGIN IMMEDIATE``, so two queue for the lock and optimistic locking then
decides who wins). ``migrate(engine)`` runs ``upgrade heads`` programmatically, so a fresh
SQLite file or an empty PostgreSQL database is ready on first open. Two branches: the library's
own tables, and ``threads`` (follow-up conversations, which share the library's database by
default and need only their branch: :func:`open_thread_store`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, inspect

from medcite.config import Settings
from medcite.corpus.database import open_database, writing
from medcite.library.errors import Conflict
from medcite.reader.threads import SqlThreadStore

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_MIGRATIONS = Path(__file__).with_name("migrations")


def database_exists(settings: Settings) -> bool:
    """Whether a library is in use: its tables exist in the configured database, or in the
    default SQLite file (which follow-up threads may have created on their own)."""
    if not settings.database_url and not (settings.home / "library.sqlite").is_file():
        return False
    engine = open_database(settings.library_url)  # a damaged file is an error, named
    try:
        return inspect(engine).has_table("article")
    finally:
        engine.dispose()


class Database:
    """Sessions over one engine: ``reading()`` for queries, ``writing()`` for transactions."""

    def __init__(self, engine: Engine) -> None:
        # The ORM is imported here, not with the module: `database_exists` runs in every
        # `medcite ask` (for related questions) and needs only SQLAlchemy's core.
        from sqlalchemy.orm import sessionmaker

        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(writing(engine), expire_on_commit=False)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        from sqlalchemy.orm.exc import StaleDataError  # the ORM loads with the first session

        try:
            with self._write() as session, session.begin():
                yield session
        except StaleDataError:  # a row changed under an optimistic lock outside ``_flush``
            raise Conflict("the data changed while you were saving; reload and try again") from None

    def optimize(self) -> None:
        """Refresh the query planner's statistics (bounded work on SQLite).

        Without them SQLite sorts every queued article instead of walking the queue's index.
        """
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
            conn.commit()

    def close(self) -> None:
        self.engine.dispose()


def _alembic_config(engine: Engine) -> Any:
    try:
        from alembic.config import Config
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "the editorial library needs its extra: pip install 'medcite[library]'"
        ) from exc
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Upgrade the schema to ``revision`` (default: the newest of every branch)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def open_thread_store(url_or_path: str | Path) -> SqlThreadStore:
    """The thread store on ``url_or_path``, its tables migrated (the ``threads`` branch only:
    a database holding threads alone is no library in use, see :func:`database_exists`)."""
    engine = open_database(url_or_path, private=True)
    migrate(engine, "threads@head")
    return SqlThreadStore(engine)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the schema to ``revision`` (``base`` drops every library table)."""
    from alembic import command

    command.downgrade(_alembic_config(engine), revision)

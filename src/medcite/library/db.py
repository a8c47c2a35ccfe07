"""Connecting to the library database and keeping its schema current (Alembic, in-package).

``open_database(url)`` makes the engine, and ``migrate(engine)`` runs ``upgrade head``
programmatically, so a fresh SQLite file or an empty PostgreSQL database is ready on first
open. Write transactions on SQLite start with ``BEGIN IMMEDIATE``: two writers queue for the
lock instead of one failing half-way, and optimistic locking then decides who wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

from medcite.config import Settings
from medcite.library.errors import Conflict

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

_WRITE = "medcite_write"
_MIGRATIONS = Path(__file__).with_name("migrations")


def open_database(url: str) -> Engine:
    """An engine for ``url`` (SQLite parent directories are created)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def database_exists(settings: Settings) -> bool:
    """Whether a library is in use: its tables exist in the configured database, or in the
    default SQLite file (which follow-up threads may have created on their own)."""
    if not settings.database_url and not (settings.home / "library.sqlite").is_file():
        return False
    engine = create_engine(settings.library_url)
    try:
        return inspect(engine).has_table("article")
    finally:
        engine.dispose()


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get(_WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Sessions over one engine: ``reading()`` for queries, ``writing()`` for transactions."""

    def __init__(self, engine: Engine) -> None:
        # The ORM is imported here, not with the module: `database_exists` runs in every
        # `medcite ask` (for related questions) and needs only SQLAlchemy's core.
        from sqlalchemy.orm import sessionmaker

        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(
            engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        from sqlalchemy.orm.exc import StaleDataError

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


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision`` (default: the newest)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the schema to ``revision`` (``base`` drops every library table)."""
    from alembic import command

    command.downgrade(_alembic_config(engine), revision)

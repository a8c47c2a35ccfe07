"""Triggers that refuse writes at the database, the same on SQLite and PostgreSQL.

Used by the migrations: ``refuse(sqlite, "audit_entry", "UPDATE")`` aborts every UPDATE of
``audit_entry`` whoever issues it (the app, a script, a psql session); with ``when`` only the
rows for which that SQL condition (over ``OLD``/``NEW``) holds.
"""

from __future__ import annotations

from alembic import op


def trigger_name(table: str, statement: str, suffix: str = "") -> str:
    return f"{table}_no_{statement.lower()}{suffix}"


def refuse(
    sqlite: bool,
    table: str,
    statement: str,
    *,
    when: str | None = None,
    columns: tuple[str, ...] = (),
    name: str | None = None,
    message: str | None = None,
) -> None:
    """A trigger that aborts ``statement`` on ``table`` (where ``when`` holds, if given).

    ``columns``: an UPDATE trigger only for updates that set one of them. ``when`` may use a
    subquery (PostgreSQL evaluates it in the trigger function, where that is allowed).
    """
    name = name or trigger_name(table, statement)
    message = message or f"{table} is append-only: {statement} refused"
    event = f"{statement} OF {', '.join(columns)}" if columns else statement
    if sqlite:
        condition = f" WHEN {when}" if when else ""
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table}{condition} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
        return
    op.execute(
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF {when or 'TRUE'} THEN RAISE EXCEPTION '{message}'; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"
    )


def drop(sqlite: bool, table: str, name: str) -> None:
    """Remove a trigger :func:`refuse` made (and its PostgreSQL function)."""
    op.execute(f"DROP TRIGGER {name}" + ("" if sqlite else f" ON {table}"))
    if not sqlite:
        op.execute(f"DROP FUNCTION {name}()")

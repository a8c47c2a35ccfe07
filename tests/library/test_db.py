"""Migrations up from empty and down again; append-only tables refuse changes at the database."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from medcite.corpus.database import open_database
from medcite.library import Actor, Library
from medcite.library.db import downgrade, migrate
from medcite.reader.threads import metadata as thread_tables

TABLES = {
    "library_user",
    "api_token",
    "question",
    "article",
    "article_search",
    "article_version",
    "cited_passage",
    "review_event",
    "review_comment",
    "audit_entry",
    "thread",
    "thread_turn",
    "user_session",
}


def test_migrations_go_up_from_empty_and_down_again(library_url: str) -> None:
    engine = open_database(library_url)
    try:
        assert set(inspect(engine).get_table_names()) == set()
        migrate(engine)
        assert TABLES <= set(inspect(engine).get_table_names())
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)  # and up again, cleanly
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_works_with_data_in_it(
    library: Library, people: dict[str, Actor], answer_for
) -> None:
    draft = library.create_draft(people["editor"], answer=answer_for("Is gout curable?"))
    library.transition(people["editor"], draft.id, "submitted", version=1)
    downgrade(library.db.engine, "base")
    assert not TABLES & set(inspect(library.db.engine).get_table_names())


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entry SET actor = 'mallory'",
        "DELETE FROM audit_entry",
        "UPDATE article_version SET created_by = 'mallory'",
    ],
)
def test_append_only_tables_refuse_changes_even_in_raw_sql(
    library: Library, people: dict[str, Actor], answer_for, statement: str
) -> None:
    library.create_draft(people["editor"], answer=answer_for("What is gout?"))
    with pytest.raises(DBAPIError, match="append-only"), library.db.engine.begin() as conn:
        conn.execute(text(statement))
    entries = library.audit_log(Actor.system())
    assert {e.actor for e in entries} >= {"editor"} and "mallory" not in {e.actor for e in entries}


def test_every_write_is_audited_with_before_and_after(
    library: Library, people: dict[str, Actor], answer_for
) -> None:
    draft = library.create_draft(people["editor"], answer=answer_for("How is gout diagnosed?"))
    library.transition(people["editor"], draft.id, "submitted", version=1)
    library.comment(people["editor"], draft.id, 1, "needs a dose", statement="bottom_line")
    log = library.audit_log(people["admin"])
    submitted = next(e for e in log if e.action == "article.submitted")
    assert (submitted.actor, submitted.entity_id, submitted.before_id, submitted.after_id) == (
        "editor",
        str(draft.id),
        "draft",
        "submitted",
    )
    assert [e.action for e in log[:3]] == ["comment.add", "article.submitted", "article.create"]
    assert not hasattr(library, "delete_audit") and not hasattr(library, "update_audit")


def test_a_library_is_in_use_only_once_its_tables_exist(tmp_path) -> None:
    from medcite.config import Settings
    from medcite.library.db import database_exists, open_thread_store

    settings = Settings(home=tmp_path / "home")
    assert not database_exists(settings)
    threads = open_thread_store(settings.threads_db)  # follow-up threads share the file
    threads.create()
    threads.close()
    assert (settings.home / "library.sqlite").is_file()
    assert not database_exists(settings)
    Library(settings).close()
    assert database_exists(settings)


def test_thread_tables_an_older_medcite_created_are_kept(tmp_path) -> None:
    from medcite.library.db import open_thread_store

    url = f"sqlite:///{tmp_path / 'library.sqlite'}"
    engine = open_database(url)
    thread_tables.create_all(engine)  # what SqlThreadStore did before the migration
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO thread VALUES ('t1', '2026-01-01', 'nurse')"))
    engine.dispose()
    store = open_thread_store(url)
    try:
        assert store.get("t1").audience == "nurse"
        assert store.get(store.create().thread_id).turns == []
    finally:
        store.close()
    engine = open_database(url)
    try:
        migrate(engine)  # the library's own branch goes on top
        assert TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_library_from_before_revocation_upgrades_with_its_tokens(
    library_url: str, library_settings
) -> None:
    engine = open_database(library_url)
    try:
        migrate(engine, "0001")  # a library as the first release made it, with a token
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO library_user (id, username, display_name, role, disabled, "
                    "created_at) VALUES (1, 'ed', 'ed', 'editor', false, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO api_token (user_id, token_hash, label, revoked, created_at) "
                    "VALUES (1, :digest, 'old', false, CURRENT_TIMESTAMP)"
                ),
                {"digest": hashlib.sha256(b"mct_old-token").hexdigest()},
            )
        assert "user_session" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    with Library(library_settings) as library:  # opening migrates to the newest schema
        assert library.authenticate_token("mct_old-token").username == "ed"
        (old,) = library.tokens(Actor.system())
        assert old.expires_at is None and old.active
    engine = open_database(library_url)
    try:
        assert {"user_session", "api_token"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()

"""Migrations up from empty and down again; append-only tables refuse changes at the database."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from medcite.config import Settings
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


@pytest.fixture
def reviewed(library: Library, people: dict[str, Actor], answer_for) -> int:
    """An approved article with a comment: review history and approved evidence."""
    draft = library.create_draft(people["editor"], answer=answer_for("Is gout hereditary?"))
    library.transition(people["editor"], draft.id, "submitted", version=1)
    library.comment(people["reviewer"], draft.id, 1, "check the dose", statement="bottom_line")
    library.transition(people["reviewer"], draft.id, "under_review", version=1)
    library.transition(people["reviewer"], draft.id, "approved", version=1)
    return draft.id


TAMPERING = [
    "UPDATE review_event SET actor = 'mallory'",
    "DELETE FROM review_event",
    "UPDATE review_comment SET body = 'all good'",
    "DELETE FROM review_comment",
    "UPDATE cited_passage SET text = 'Colchicine 40 mg every hour.'",
    "DELETE FROM cited_passage",
    "DELETE FROM article_version",
    "UPDATE article SET approved_by = 'mallory'",
    "UPDATE article SET approved_by = NULL",
    "UPDATE article SET approved_version_id = NULL",
    "INSERT INTO audit_entry (at, actor, action, entity, entity_id, detail) "
    "VALUES ('2000-01-01 00:00:00', 'mallory', 'article.approved', 'article', '1', '{}')",
]


@pytest.mark.usefixtures("reviewed")
@pytest.mark.parametrize("statement", TAMPERING)
def test_approved_evidence_and_review_history_refuse_tampering_in_raw_sql(
    library: Library, statement: str
) -> None:
    def state() -> list[object]:
        with library.db.engine.connect() as conn:
            return [
                conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
                for table in TAMPERED_TABLES
            ]

    before = state()
    with pytest.raises(DBAPIError, match="append-only"), library.db.engine.begin() as conn:
        conn.execute(text(statement))
    assert state() == before


TAMPERED_TABLES = ("review_event", "review_comment", "cited_passage", "article_version")


def test_what_the_workflow_updates_is_still_accepted(
    library: Library, people: dict[str, Actor], reviewed: int
) -> None:
    """Re-review and re-approval by another reviewer, status, lock and dates: the app's own
    updates pass the triggers; a raw UPDATE of the status does too (it is not history)."""
    library.transition(people["reviewer"], reviewed, "under_review", version=1)
    library.transition(people["reviewer2"], reviewed, "approved", version=1)
    assert library.article(None, reviewed).approved_by == "reviewer2"
    with library.db.engine.begin() as conn:
        conn.execute(text("UPDATE article SET updated_at = approved_at, topic = 'gout'"))
    library.transition(people["reviewer"], reviewed, "retracted", version=1)
    assert library.article(people["reviewer"], reviewed).status == "retracted"


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


def test_the_library_file_and_its_wal_are_private_to_their_owner(tmp_path) -> None:
    """library.sqlite holds password and token hashes: 0600, whatever the umask, and an
    existing file made readable to others is tightened on open."""
    settings = Settings(home=tmp_path / "home")
    path = settings.home / "library.sqlite"
    wal, shm = path.with_name("library.sqlite-wal"), path.with_name("library.sqlite-shm")

    def modes() -> set[int]:
        return {stat.S_IMODE(p.stat().st_mode) for p in (path, wal, shm)}

    old = os.umask(0o022)
    try:
        with Library(settings) as library:
            library.add_user(Actor.system(), "ed", "editor")  # a write: the WAL exists
            assert modes() == {0o600}
        for p in (path, wal, shm):
            if p.exists():
                p.chmod(0o644)
        with Library(settings) as library:
            library.add_user(Actor.system(), "rev", "reviewer")
            assert modes() == {0o600}
    finally:
        os.umask(old)


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

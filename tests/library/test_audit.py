"""The audit log is a hash chain: what gets past the triggers is found by ``Library.check``."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from medcite.corpus.database import open_database
from medcite.library import Actor, Library
from medcite.library.audit import entry_hash
from medcite.library.db import migrate
from medcite.library.schema import AuditEntry

ADMIN = Actor.system("test")


@pytest.fixture
def history(library: Library, people: dict[str, Actor], answer_for) -> list[int]:
    """Some writes (users, a draft, a submission, a comment): the audit entries' ids."""
    draft = library.create_draft(people["editor"], answer=answer_for("Is gout painful?"))
    library.transition(people["editor"], draft.id, "submitted", version=1)
    library.comment(people["reviewer"], draft.id, 1, "fine")
    return sorted(e.id for e in library.audit_log(ADMIN, limit=1000))


def _without_trigger(engine: Engine, name: str, sql: str) -> None:
    """Run ``sql`` as someone who dropped the trigger ``name`` on audit_entry first."""
    with engine.begin() as conn:
        on = "" if conn.dialect.name == "sqlite" else " ON audit_entry"
        conn.execute(text(f"DROP TRIGGER {name}{on}"))
        conn.execute(text(sql))


def test_an_untouched_log_verifies(library: Library, history: list[int]) -> None:
    report = library.check_integrity(ADMIN)
    (newest,) = library.audit_log(ADMIN, limit=1)
    with library.db.engine.connect() as conn:
        head = conn.execute(text(f"SELECT entry_hash FROM audit_entry WHERE id = {newest.id}"))
        head_hash = head.scalar_one()
    assert report.ok and report.to_dict() == {
        "ok": True,
        "audit_entries": len(history),
        "first_broken_entry": None,
        "head": {"id": history[-1], "hash": head_hash},
        "problems": [],
    }
    library.add_user(ADMIN, "later", "editor")
    with library.db.engine.connect() as conn:
        (prev,) = conn.execute(text("SELECT prev_hash FROM audit_entry ORDER BY id DESC")).first()
    assert prev == head_hash  # the log grew from the head noted before


def test_a_clock_set_back_does_not_date_an_entry_before_the_newest(
    library: Library, history: list[int]
) -> None:
    """An entry dated in the future (a clock that ran ahead, then was corrected): the next
    write still succeeds, dated no earlier than it, and the chain verifies."""
    with library.db.engine.connect() as conn:
        last = conn.execute(text(f"SELECT * FROM audit_entry WHERE id = {history[-1]}")).one()
    _without_trigger(
        library.db.engine,
        "audit_entry_no_update",
        f"UPDATE audit_entry SET at = '2999-01-01 00:00:00' WHERE id = {last.id}",
    )
    with library.db.writing() as session:  # re-hash it as medcite would have written it
        ahead = session.get(AuditEntry, last.id)
        session.execute(
            text(f"UPDATE audit_entry SET entry_hash = '{entry_hash(ahead)}' WHERE id = {last.id}")
        )
    library.add_user(ADMIN, "after-the-fix", "editor")
    assert library.check_integrity(ADMIN).ok


def _changed(ids: list[int]) -> tuple[str, str, int, str]:
    sql = f"UPDATE audit_entry SET actor = 'mallory' WHERE id = {ids[2]}"
    return "audit_entry_no_update", sql, ids[2], "does not match its hash"


def _removed(ids: list[int]) -> tuple[str, str, int, str]:
    sql = f"DELETE FROM audit_entry WHERE id = {ids[2]}"
    return "audit_entry_no_delete", sql, ids[3], f"does not chain onto entry {ids[1]}"


def _backdated(ids: list[int]) -> tuple[str, str, int, str]:
    sql = (
        "INSERT INTO audit_entry (id, at, actor, action, entity, entity_id, detail, "
        f"prev_hash, entry_hash) SELECT {ids[-1] + 1}, '2000-01-01 00:00:00', 'mallory', "
        "'article.approved', 'article', '1', '{}', entry_hash, entry_hash FROM audit_entry "
        f"WHERE id = {ids[-1]}"
    )
    return "audit_entry_no_insert_backdated", sql, ids[-1] + 1, "backdated"


TAMPERING: dict[str, Callable[[list[int]], tuple[str, str, int, str]]] = {
    "changed": _changed,
    "removed": _removed,
    "backdated": _backdated,
}


@pytest.mark.parametrize("tampering", TAMPERING)
def test_tampering_past_the_triggers_names_the_first_broken_entry(
    library: Library, history: list[int], tampering: str
) -> None:
    trigger, sql, first_broken, problem = TAMPERING[tampering](history)
    _without_trigger(library.db.engine, trigger, sql)
    report = library.check_integrity(ADMIN)
    assert not report.ok
    assert report.broken_entry is not None and report.broken_entry.entry_id == first_broken
    assert problem in report.broken_entry.problem


def test_an_entry_added_by_hand_has_no_place_in_the_chain(
    library: Library, history: list[int]
) -> None:
    """The insert trigger lets a current entry in; the chain still tells it was not medcite."""
    with library.db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_entry (at, actor, action, entity, entity_id, detail) "
                "VALUES ('2999-01-01 00:00:00', 'mallory', 'x', 'x', 'x', '{}')"
            )
        )
    report = library.check_integrity(ADMIN)
    assert report.broken_entry is not None and report.broken_entry.entry_id > history[-1]
    assert "no hash" in report.broken_entry.problem


def test_an_approval_without_its_review_event_is_reported(
    library: Library, people: dict[str, Actor], answer_for
) -> None:
    """Status toggled by SQL (which the triggers allow) to slip in a different approver."""
    draft = library.create_draft(people["editor"], answer=answer_for("Is gout common?"))
    for actor, to in [("editor", "submitted"), ("reviewer", "under_review")]:
        library.transition(people[actor], draft.id, to, version=1)
    library.transition(people["reviewer"], draft.id, "approved", version=1)
    assert library.check_integrity(ADMIN).ok
    with library.db.engine.begin() as conn:
        conn.execute(text("UPDATE article SET status = 'under_review'"))
        conn.execute(text("UPDATE article SET status = 'approved', approved_by = 'mallory'"))
    (problem,) = library.check_integrity(ADMIN).problems
    assert problem.startswith(f"article {draft.id}: approved by mallory")


def test_entries_written_before_the_chain_are_chained_by_the_migration(
    library_url: str, library_settings
) -> None:
    engine = open_database(library_url)
    try:
        migrate(engine, "0001")
        with engine.begin() as conn:
            for i, name in enumerate(["ed", "rev"]):
                conn.execute(
                    text(
                        "INSERT INTO audit_entry (at, actor, action, entity, entity_id, detail) "
                        f"VALUES ('2026-11-2{i} 10:00:00', 'cli', 'user.add', 'user', "
                        f"'{name}', '{{}}')"
                    )
                )
    finally:
        engine.dispose()
    with Library(library_settings) as library:
        assert library.check_integrity(ADMIN).ok
        library.add_user(ADMIN, "third", "editor")  # and the chain goes on from there
        report = library.check_integrity(ADMIN)
    assert report.ok and report.audit_entries == 3


def test_an_exported_and_imported_library_still_verifies(
    library: Library, history: list[int], new_database, library_url: str, library_settings
) -> None:
    backup = io.StringIO()
    library.export(backup, with_secrets=True)
    kind = "sqlite" if library_url.startswith("sqlite") else "postgres"
    with Library(library_settings, url=new_database(kind)) as target:
        target.import_(ADMIN, backup.getvalue().splitlines(), source="backup.jsonl")
        report = target.check_integrity(ADMIN)
    assert report.ok and report.audit_entries == len(history) + 1  # and the import's own

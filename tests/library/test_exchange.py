"""Export → import → export gives the same records, also from SQLite into PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from medcite.config import Settings
from medcite.library import Actor, ImportRejected, Library, Role
from medcite.library.db import open_thread_store
from medcite.library.exchange import SCHEMA
from medcite.library.schema import Article, utcnow
from medcite.library.sessions import SessionSigner

PASSWORD = "a long enough password"


def fill(library: Library, people: dict[str, Actor], answer_for: Callable[..., Any]) -> None:
    """Every kind of row: tokens, passwords, articles in several states, comments, events."""
    library.set_password(Actor.system(), "editor", PASSWORD)
    library.create_token(Actor.system(), "reviewer", label="ci", expires_in_days=7)
    SessionSigner.for_settings(library.settings).issue(library, people["editor"])
    ed, rev = people["editor"], people["reviewer"]
    approved = library.create_draft(ed, answer=answer_for("How is gout treated?"), topic="gout")
    for who, to in [(ed, "submitted"), (rev, "under_review"), (rev, "approved")]:
        library.transition(who, approved.id, to, version=1, comment=f"{to} ✓")
    draft = library.create_draft(ed, answer=answer_for("Qué es la gota?", "patient"))
    library.comment(rev, draft.id, 1, "cite the guideline", statement="bottom_line")
    library.comment(ed, draft.id, 1, "whole version note")
    with library.db.writing() as s:
        s.get(Article, approved.id).stale_reason = "passage [1] of pmid:1 changed on re-ingest"
        s.get(Article, draft.id).approved_at = utcnow()


def records(library: Library, *, with_secrets: bool) -> list[dict[str, Any]]:
    out = io.StringIO()
    library.export(out, with_secrets=with_secrets)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    # What an import adds (its own audit entry) and the trailer that counts it are left out.
    return [
        r for r in rows if r.get("row", {}).get("action") != "library.import" and "trailer" not in r
    ]


def _kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgres"


def _round_trip(source: Library, target_url: str, settings: Any, *, with_secrets: bool) -> Library:
    out = io.StringIO()
    source.export(out, with_secrets=with_secrets)
    target = Library(settings, url=target_url)
    counts = target.import_(Actor.system(), out.getvalue().splitlines(), source="backup.jsonl")
    assert counts["article"] == 2 and counts["audit_entry"] > 5
    return target


def test_round_trip_with_secrets_is_lossless(
    library: Library, people, answer_for, new_database, library_url: str, library_settings
) -> None:
    fill(library, people, answer_for)
    target_url = new_database(_kind(library_url))
    with _round_trip(library, target_url, library_settings, with_secrets=True) as target:
        assert records(target, with_secrets=True) == records(library, with_secrets=True)
        assert target.login("editor", PASSWORD).username == "editor"
        public = target.article_by_slug(None, "how-is-gout-treated")
        assert public.answer == library.article(None, public.id).answer
        # New rows continue after the imported ids (sequences moved on PostgreSQL).
        new = target.create_draft(people["editor"], answer=answer_for("A third question?"))
        assert new.id == 3


def test_default_export_leaves_secrets_out(library: Library, people, answer_for) -> None:
    fill(library, people, answer_for)
    rows = records(library, with_secrets=False)
    assert rows[0] == {"format": "medcite-library", "schema": SCHEMA, "secrets": False}
    users = [r["row"] for r in rows if r.get("table") == "library_user"]
    assert users and all(u["password_hash"] is None for u in users)
    assert not [r for r in rows if r.get("table") in ("api_token", "user_session")]
    assert {r["table"] for r in rows[1:]} >= {"article_version", "cited_passage", "review_event"}


def test_a_bad_line_rejects_the_whole_import(
    library: Library, people, answer_for, new_database, library_url: str, library_settings
) -> None:
    fill(library, people, answer_for)
    target_url = new_database(_kind(library_url))
    out = io.StringIO()
    library.export(out, with_secrets=True)
    lines = out.getvalue().splitlines()
    lines.insert(5, '{"table": "article", "row": {"id": "not json')
    with Library(library_settings, url=target_url) as target:
        with pytest.raises(ImportRejected, match=r"backup.jsonl: line 6: not a library record"):
            target.import_(Actor.system(), lines, source="backup.jsonl")
        assert target.users(Actor.system()) == []  # nothing half-imported
        with pytest.raises(ImportRejected, match="line 1: not a medcite library export"):
            target.import_(Actor.system(), lines[1:], source="backup.jsonl")


@pytest.mark.postgres
def test_sqlite_to_postgresql(
    tmp_path: Path, new_database, answer_for, fixture_corpus_url: str
) -> None:
    """Move a library from the default SQLite file to a PostgreSQL server, losing nothing."""
    with Library(Settings(home=tmp_path / "home", corpus_url=fixture_corpus_url)) as source:
        people = {}
        for name in ("editor", "reviewer", "admin"):
            user = source.add_user(Actor.system(), name, name)
            people[name] = Actor(user.username, Role(user.role), user.id)
        fill(source, people, answer_for)
        url = new_database("postgres")
        with _round_trip(source, url, source.settings, with_secrets=True) as target:
            assert target.db.engine.dialect.name == "postgresql"
            assert records(target, with_secrets=True) == records(source, with_secrets=True)


def export_text(library: Library, *, with_secrets: bool = True) -> str:
    out = io.StringIO()
    library.export(out, with_secrets=with_secrets)
    return out.getvalue()


def test_the_last_line_counts_every_table_and_hashes_the_lines_before_it(
    library: Library, people, answer_for
) -> None:
    fill(library, people, answer_for)
    *body, last = export_text(library).splitlines()
    trailer = json.loads(last)["trailer"]
    assert trailer["sha256"] == hashlib.sha256("".join(f"{x}\n" for x in body).encode()).hexdigest()
    tables = [json.loads(line)["table"] for line in body[1:]]
    assert trailer["counts"] == {name: tables.count(name) for name in trailer["counts"]}
    assert sum(trailer["counts"].values()) == len(tables)
    assert {"thread", "thread_turn", "user_session", "api_token"} <= set(trailer["counts"])


def _cut_at_line(lines: list[str]) -> list[str]:
    return lines[: len(lines) // 2]  # a copy that stopped at a line boundary: no trailer


def _cut_in_a_line(lines: list[str]) -> list[str]:
    return [*lines[:-2], lines[-2][:10]]


def _altered(lines: list[str]) -> list[str]:
    index = next(i for i, line in enumerate(lines) if '"cited_passage"' in line)
    return [*lines[:index], lines[index].replace("e", "é", 1), *lines[index + 1 :]]


def _line_dropped_and_hash_redone(lines: list[str]) -> list[str]:
    body = [line for line in lines[:-1] if '"review_event"' not in line]
    trailer = json.loads(lines[-1])
    digest = hashlib.sha256("".join(f"{x}\n" for x in body).encode()).hexdigest()
    trailer["trailer"]["sha256"] = digest
    return [*body, json.dumps(trailer)]


def _after_the_trailer(lines: list[str]) -> list[str]:
    return [*lines, lines[3]]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_cut_at_line, "no trailer"),
        (_cut_in_a_line, "no trailer"),
        (_altered, "sha256"),
        (_line_dropped_and_hash_redone, r"review_event: \d+ counted, 0 found"),
        (_after_the_trailer, "after the trailer"),
    ],
)
def test_an_incomplete_or_altered_export_is_refused_and_nothing_is_imported(
    library: Library,
    people,
    answer_for,
    new_database,
    library_url: str,
    library_settings,
    damage,
    reason: str,
) -> None:
    fill(library, people, answer_for)
    lines = damage(export_text(library).splitlines())
    with Library(library_settings, url=new_database(_kind(library_url))) as target:
        with pytest.raises(ImportRejected, match=reason):
            target.import_(Actor.system(), lines, source="backup.jsonl")
        assert target.users(Actor.system()) == []
        assert target.articles(Actor.system()).total == 0


def test_threads_and_their_turns_come_back_with_the_library(
    library: Library, people, answer_for, new_database, library_url: str, library_settings
) -> None:
    fill(library, people, answer_for)
    threads = open_thread_store(library_url)
    try:
        thread = threads.create(audience="nurse")
        threads.add_turn(thread.thread_id, "How is gout treated?", "gout treatment", {"a": 1})
        threads.add_turn(thread.thread_id, "and in pregnancy?", "gout in pregnancy", None)
        kept = threads.get(thread.thread_id)
    finally:
        threads.close()
    target_url = new_database(_kind(library_url))
    with _round_trip(library, target_url, library_settings, with_secrets=False):
        restored = open_thread_store(target_url)
        try:
            assert restored.get(thread.thread_id) == kept
        finally:
            restored.close()


def test_export_to_a_file_replaces_it_whole(library: Library, people, answer_for, tmp_path) -> None:
    fill(library, people, answer_for)
    target = tmp_path / "backups" / "library.jsonl"
    target.parent.mkdir()
    target.write_text("yesterday's backup\n")
    before = target.stat().st_ino
    count = library.export_to(target, with_secrets=True)
    assert target.stat().st_ino != before  # a new file renamed over the old one
    assert target.read_text() == export_text(library)
    assert count == len(target.read_text().splitlines()) - 2  # header and trailer
    assert [p.name for p in target.parent.iterdir()] == ["library.jsonl"]  # no temporary left
    in_the_way = target.parent / "a-directory.jsonl"  # the rename fails: nothing is replaced
    (in_the_way / "kept").mkdir(parents=True)
    with pytest.raises(OSError):
        library.export_to(in_the_way)
    assert sorted(p.name for p in target.parent.iterdir()) == ["a-directory.jsonl", "library.jsonl"]
    assert [p.name for p in in_the_way.iterdir()] == ["kept"]

"""Export → import → export gives the same records, also from SQLite into PostgreSQL."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from medcite.config import Settings
from medcite.library import Actor, ImportRejected, Library, Role
from medcite.library.schema import Article, utcnow

PASSWORD = "a long enough password"


def fill(library: Library, people: dict[str, Actor], answer_for: Callable[..., Any]) -> None:
    """Every kind of row: tokens, passwords, articles in several states, comments, events."""
    library.set_password(Actor.system(), "editor", PASSWORD)
    library.create_token(Actor.system(), "reviewer", label="ci")
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
    return [r for r in rows if r.get("row", {}).get("action") != "library.import"]


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
    assert rows[0] == {"format": "medcite-library", "schema": "0001", "secrets": False}
    users = [r["row"] for r in rows if r.get("table") == "library_user"]
    assert users and all(u["password_hash"] is None for u in users)
    assert not [r for r in rows if r.get("table") == "api_token"]
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

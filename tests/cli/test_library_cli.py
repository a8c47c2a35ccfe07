"""`medcite users ...`, `medcite library export/import` and `ask --save-draft`, on real files."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medcite.cli import app
from medcite.config import Settings
from medcite.library import Actor, Library, Unauthenticated

runner = CliRunner()


def invoke(*args: str, stdin: str | None = None):  # noqa: ANN201 - click's Result
    return runner.invoke(app, list(args), input=stdin)


def test_library_commands_have_help() -> None:
    for command in [
        ["users", "add"],
        ["users", "list"],
        ["users", "disable"],
        ["users", "password"],
        ["users", "token"],
        ["users", "tokens"],
        ["users", "revoke-token"],
        ["users", "enable"],
        ["library", "export"],
        ["library", "import"],
        ["library", "check"],
    ]:
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, result.output


def test_users_add_list_disable(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    added = invoke(
        "users",
        "add",
        "ed",
        "--role",
        "editor",
        "--password-stdin",
        *home,
        "--format",
        "json",
        stdin="a long password\n",
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["has_password"] is True
    assert (
        invoke("users", "add", "bot", "--role", "reviewer", "--no-password", *home).exit_code == 0
    )
    duplicate = invoke("users", "add", "ed", "--no-password", *home)
    assert duplicate.exit_code == 2 and "already exists" in duplicate.stderr
    bad = invoke("users", "add", "x1", "--role", "boss", "--no-password", *home)
    assert bad.exit_code == 2 and "unknown role 'boss'" in bad.stderr
    listed = json.loads(invoke("users", "list", "--format", "json", *home).stdout)
    assert [(u["username"], u["role"], u["has_password"]) for u in listed] == [
        ("bot", "reviewer", False),
        ("ed", "editor", True),
    ]
    assert invoke("users", "disable", "ed", *home).exit_code == 0
    token = invoke("users", "token", "bot", *home).stdout.strip()
    with Library(Settings(home=tmp_path / "home")) as lib:
        assert lib.authenticate_token(token).username == "bot"
        assert [u.disabled for u in lib.users(Actor.system())] == [
            False,
            True,
        ]


@pytest.mark.parametrize(
    "command", [["users", "add", "bob", "--role", "admin"], ["users", "password", "ada"]]
)
def test_a_password_without_a_terminal_points_at_password_stdin(
    tmp_path: Path, command: list[str]
) -> None:
    home = ["--home", str(tmp_path / "home")]
    assert invoke("users", "add", "ada", "--no-password", *home).exit_code == 0
    refused = invoke(*command, *home, stdin="")  # the runner's stdin is no terminal
    assert refused.exit_code == 2, refused.output
    (line,) = refused.stderr.strip().splitlines()
    assert "--password-stdin" in line and "Traceback" not in refused.output
    assert "Password:" not in refused.output


def test_ask_save_draft_then_export_and_import(tmp_path: Path, built_home: Path) -> None:
    library_url = f"sqlite:///{tmp_path / 'library.sqlite'}"
    env = {"MEDCITE_DATABASE_URL": library_url}
    home = ["--home", str(built_home)]
    assert (
        runner.invoke(app, ["users", "add", "ed", "--no-password", *home], env=env).exit_code == 0
    )
    question = "What are the treatment options for gout?"
    missing = runner.invoke(app, ["ask", question, "--save-draft", *home], env=env)
    assert missing.exit_code == 2 and "--as EDITOR" in missing.stderr
    saved = runner.invoke(
        app, ["ask", question, "--save-draft", "--as", "ed", "--format", "json", *home], env=env
    )
    assert saved.exit_code == 0, saved.output
    answer = json.loads(saved.stdout)
    assert "saved as draft article 1" in saved.stderr
    again = runner.invoke(app, ["ask", question, "--save-draft", "--as", "ed", *home], env=env)
    assert again.exit_code == 2 and len(again.stderr.strip().splitlines()) == 1
    assert re.search(r"article 1 \([a-z-]+, draft\) already answers", again.stderr)
    with Library(Settings(home=built_home, database_url=library_url)) as lib:
        stored = lib.article(lib.local_actor("ed"), 1)
        assert stored.status == "draft" and stored.answer["bottom_line"] == answer["bottom_line"]

    backup = tmp_path / "backup.jsonl"
    exported = runner.invoke(app, ["library", "export", str(backup), *home], env=env)
    assert exported.exit_code == 0 and "without secrets" in exported.stderr
    target = {"MEDCITE_DATABASE_URL": f"sqlite:///{tmp_path / 'moved.sqlite'}"}
    imported = runner.invoke(
        app, ["library", "import", str(backup), "--format", "json", *home], env=target
    )
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["article_version"] == 1
    again = runner.invoke(app, ["library", "import", str(backup), *home], env=target)
    assert again.exit_code == 2 and "not empty" in again.stderr


@pytest.mark.parametrize(
    "url", ["sqlite:////tmp/x/library.sqlite", "postgresql+psycopg://u@h:5/db"]
)
def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("MEDCITE_DATABASE_URL", url)
    assert Settings().library_url == url
    monkeypatch.delenv("MEDCITE_DATABASE_URL")
    assert Settings(home=Path("/tmp/h")).library_url == "sqlite:////tmp/h/library.sqlite"


def test_ask_serves_the_approved_article(tmp_path: Path, built_home: Path) -> None:
    library_url = f"sqlite:///{tmp_path / 'library.sqlite'}"
    env = {"MEDCITE_DATABASE_URL": library_url}
    home = ["--home", str(built_home)]
    question = "How is gout treated?"
    live = runner.invoke(app, ["ask", question, "--format", "json", *home], env=env)
    assert live.exit_code == 0, live.output
    assert json.loads(live.stdout)["review"]["status"] == "draft"
    with Library(Settings(home=built_home, database_url=library_url)) as library:
        system = Actor.system("tests")
        editor = library.add_user(system, "ed", "editor")
        reviewer = library.add_user(system, "rev", "reviewer")
        ed, rev = library.local_actor(editor.username), library.local_actor(reviewer.username)
        article = library.create_draft(ed, answer=json.loads(live.stdout))
        for actor, to in [(ed, "submitted"), (rev, "under_review"), (rev, "approved")]:
            library.transition(actor, article.id, to, version=1)
        approved = library.approved_answer(question, "clinician")
    served = runner.invoke(app, ["ask", question, "--format", "json", *home], env=env)
    assert served.exit_code == 0, served.output
    assert json.loads(served.stdout) == approved
    assert approved["review"]["label"].startswith("Approved by the Medical Advisory Board")
    text = runner.invoke(app, ["ask", question, *home], env=env)
    assert "Review status: approved — Approved by the Medical Advisory Board" in text.stdout
    # A follow-up in a thread is always composed, never served as approved.
    followed = runner.invoke(
        app, ["ask", question, "--new-thread", "--format", "json", *home], env=env
    )
    assert json.loads(followed.stdout)["review"]["status"] == "draft"


def test_library_check_reports_the_first_broken_audit_entry(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    for name in ("ed", "rev", "admin"):
        assert invoke("users", "add", name, "--no-password", *home).exit_code == 0
    clean = invoke("library", "check", "--format", "json", *home)
    assert clean.exit_code == 0, clean.output
    report = json.loads(clean.stdout)
    assert report["ok"] is True and report["audit_entries"] == 3
    assert report["first_broken_entry"] is None and report["problems"] == []
    assert len(report["head"]["hash"]) == 64
    library_file = tmp_path / "home" / "library.sqlite"
    conn = sqlite3.connect(library_file)  # someone with the file, past the trigger
    try:
        with conn:
            conn.execute("DROP TRIGGER audit_entry_no_update")
            conn.execute("UPDATE audit_entry SET actor = 'mallory' WHERE entity_id = '2'")
        (tampered,) = conn.execute("SELECT id FROM audit_entry WHERE actor = 'mallory'").fetchone()
    finally:
        conn.close()
    broken = invoke("library", "check", "--format", "json", *home)
    assert broken.exit_code == 1, broken.output
    report = json.loads(broken.stdout)
    assert report["ok"] is False and report["first_broken_entry"]["id"] == tampered
    text = invoke("library", "check", *home)
    assert text.exit_code == 1
    assert f"audit entry {tampered}: its content does not match its hash" in text.stderr
    assert "chain broken" in text.stdout


def test_tokens_listed_revoked_and_expiring_and_users_enabled_again(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    for name in ("ed", "rev"):
        assert invoke("users", "add", name, "--no-password", *home).exit_code == 0
    made = invoke("users", "token", "ed", "--label", "ci", "--expires-in-days", "30", *home)
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert secret.startswith("mct_") and "expires" in made.stderr
    assert invoke("users", "token", "rev", "--label", "laptop", *home).exit_code == 0
    listed = invoke("users", "tokens", "--format", "json", *home)
    tokens = json.loads(listed.stdout)
    assert [(t["username"], t["label"], t["active"]) for t in tokens] == [
        ("ed", "ci", True),
        ("rev", "laptop", True),
    ]
    assert tokens[0]["expires_at"] and tokens[1]["expires_at"] is None
    assert secret not in listed.stdout and "hash" not in listed.stdout
    theirs = json.loads(invoke("users", "tokens", "rev", "--format", "json", *home).stdout)
    assert [t["label"] for t in theirs] == ["laptop"]
    assert "ci" in invoke("users", "tokens", *home).stdout  # the text table
    revoked = invoke("users", "revoke-token", str(tokens[0]["id"]), *home)
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    with Library(Settings(home=tmp_path / "home")) as lib:
        with pytest.raises(Unauthenticated):
            lib.authenticate_token(secret)
    missing = invoke("users", "revoke-token", "99", *home)
    assert missing.exit_code == 2 and "no API token 99" in missing.stderr
    never = invoke("users", "token", "ed", "--expires-in-days", "0", *home)
    assert never.exit_code == 2 and "days" in never.stderr
    assert invoke("users", "disable", "rev", *home).exit_code == 0
    enabled = invoke("users", "enable", "rev", "--format", "json", *home)
    assert enabled.exit_code == 0 and json.loads(enabled.stdout)["disabled"] is False


def test_export_is_checked_on_import_and_replaces_the_file_whole(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    for name in ("ed", "rev", "ada"):
        assert invoke("users", "add", name, "--no-password", *home).exit_code == 0
    backup = tmp_path / "backup.jsonl"
    backup.write_text("the previous backup\n")
    previous = backup.stat().st_ino
    exported = invoke("library", "export", str(backup), "--with-secrets", *home)
    assert exported.exit_code == 0, exported.output
    lines = backup.read_text().splitlines()
    assert backup.stat().st_ino != previous  # a complete new file renamed over the old one
    assert json.loads(lines[-1])["trailer"]["counts"]["library_user"] == 3
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["backup.jsonl"]
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:-2]) + "\n")  # stopped at a line boundary
    target = ["--home", str(tmp_path / "target")]
    refused = invoke("library", "import", str(cut), *target)
    assert refused.exit_code == 2 and "no trailer" in refused.stderr
    assert json.loads(invoke("users", "list", "--format", "json", *target).stdout) == []
    imported = invoke("library", "import", str(backup), "--format", "json", *target)
    assert imported.exit_code == 0 and json.loads(imported.stdout)["library_user"] == 3

"""`medcite users ...` and `medcite library ...`: the editorial library from the command line.

The CLI is the operator at the machine (whoever can open the database): it manages users as
the system and acts as a named user (``--as``) without a password; the web app and API
authenticate people instead.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from medcite.cli.conventions import (
    HomeOption,
    JsonAlias,
    TextOrJson,
    TextOrJsonOption,
    fail,
    open_engine,
    output_format,
)

users = typer.Typer(
    help="Manage editorial library users (editors, reviewers, admins).", no_args_is_help=True
)
library = typer.Typer(help="Back up, restore and move the editorial library.", no_args_is_help=True)

PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]


def _operator() -> Any:
    from medcite.library import Actor

    return Actor.system(f"cli:{getpass.getuser()}")


@contextmanager
def _library(home: Path | None) -> Iterator[Any]:
    """The configured library; library errors become one line on stderr, exit 2."""
    from medcite.cli.extras import fail_on_missing_extra
    from medcite.config import Settings
    from medcite.errors import MedciteError
    from medcite.library import Library

    try:
        with Library(Settings(home=home) if home else Settings()) as opened:
            yield opened
    except MedciteError as exc:
        fail(str(exc))
    except ImportError as exc:  # e.g. a PostgreSQL URL without the postgres extra
        fail_on_missing_extra(exc)


def _password(from_stdin: bool, command: str) -> str:
    """The password from stdin's first line, or asked twice on the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        fail(
            "no terminal to ask for the password on: give it on stdin with --password-stdin, "
            f"e.g. printf '%s\\n' \"$PASSWORD\" | medcite {command} [OPTIONS] --password-stdin"
        )
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="Login name (lowercase).")],
    role: Annotated[str, typer.Option(help="reader, editor, reviewer or admin.")] = "editor",
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="API tokens only (no password login).")
    ] = False,
    password_stdin: PasswordStdin = False,
    home: HomeOption = None,
    output: TextOrJsonOption = TextOrJson.text,
    json_alias: JsonAlias = False,
) -> None:
    """Add a user; asks for the password (argon2-hashed) unless --no-password or
    --password-stdin."""
    from medcite.cli.render import console, print_json

    output = output_format(output, json_alias)
    password = None if no_password else _password(password_stdin, f"users add {username}")
    with _library(home) as lib:
        user = lib.add_user(_operator(), username, role, password=password, display_name=name)
    if output is TextOrJson.json:
        print_json(user.to_dict())
    else:
        console.print(f"added {user.username} ({user.role})", highlight=False, markup=False)


@users.command("list")
def list_users(
    home: HomeOption = None,
    output: TextOrJsonOption = TextOrJson.text,
    json_alias: JsonAlias = False,
) -> None:
    """List users with their roles and whether they are disabled."""
    from rich.table import Table

    from medcite.cli.render import console, print_json

    output = output_format(output, json_alias)
    with _library(home) as lib:
        found = lib.users(_operator())
    if output is TextOrJson.json:
        print_json([u.to_dict() for u in found])
        return
    table = Table("username", "name", "role", "disabled", "password", "created")
    for u in found:
        table.add_row(
            u.username,
            u.display_name,
            u.role,
            "yes" if u.disabled else "",
            "yes" if u.has_password else "no",
            u.created_at[:10],
        )
    console.print(table)


@users.command("disable")
def disable_user(
    username: str,
    enable: Annotated[
        bool, typer.Option("--enable", hidden=True, help="Deprecated: use `users enable`.")
    ] = False,
    home: HomeOption = None,
    output: TextOrJsonOption = TextOrJson.text,
) -> None:
    """Disable a user: no login, no API tokens, their browser sessions end (history stays)."""
    _set_disabled(username, not enable, home, output)


@users.command("enable")
def enable_user(
    username: str, home: HomeOption = None, output: TextOrJsonOption = TextOrJson.text
) -> None:
    """Enable a disabled user again: their tokens work again, old browser sessions do not."""
    _set_disabled(username, False, home, output)


def _set_disabled(username: str, disabled: bool, home: Path | None, output: TextOrJson) -> None:
    from medcite.cli.render import console, print_json

    with _library(home) as lib:
        user = lib.disable_user(_operator(), username, disabled)
    if output is TextOrJson.json:
        print_json(user.to_dict())
    else:
        console.print(f"{user.username} is {'disabled' if user.disabled else 'enabled'}")


@users.command("password")
def set_password(
    username: str, password_stdin: PasswordStdin = False, home: HomeOption = None
) -> None:
    """Set a user's password (e.g. after an import without secrets); asks for it unless
    --password-stdin."""
    from medcite.cli.render import console

    password = _password(password_stdin, f"users password {username}")
    with _library(home) as lib:
        lib.set_password(_operator(), username, password)
    console.print(f"password set for {username}")


@users.command("token")
def create_token(
    username: str,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
    expires_in_days: Annotated[
        int | None,
        typer.Option("--expires-in-days", help="Refuse the token after N days (default: never)."),
    ] = None,
    home: HomeOption = None,
    output: TextOrJsonOption = TextOrJson.text,
) -> None:
    """Create an API token for /api/v1: the token alone on stdout, once (only its hash is
    stored); its id and expiry on stderr."""
    from medcite.cli.render import errors, print_json

    with _library(home) as lib:
        made = lib.create_token(_operator(), username, label, expires_in_days=expires_in_days)
    if output is TextOrJson.json:
        print_json(made.to_dict())
        return
    print(made.secret)
    expiry = made.view.expires_at or "never (until revoked)"
    errors.print(
        f"token {made.view.id} for {username}; expires: {expiry}", highlight=False, markup=False
    )


@users.command("tokens")
def list_tokens(
    username: Annotated[
        str | None, typer.Argument(help="Only this user's tokens (default: everyone's).")
    ] = None,
    home: HomeOption = None,
    output: TextOrJsonOption = TextOrJson.text,
) -> None:
    """List API tokens: id, user, label, created, expires, revoked (never the token)."""
    from rich.table import Table

    from medcite.cli.render import console, print_json

    with _library(home) as lib:
        found = lib.tokens(_operator(), username)
    if output is TextOrJson.json:
        print_json([t.to_dict() for t in found])
        return
    table = Table("id", "user", "label", "created", "expires", "state")
    for t in found:
        state = "revoked" if t.revoked else "active" if t.active else "expired"
        expires = t.expires_at[:16] if t.expires_at else "never"
        table.add_row(str(t.id), t.username, t.label, t.created_at[:16], expires, state)
    console.print(table)


@users.command("revoke-token")
def revoke_token(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `users tokens`).")],
    home: HomeOption = None,
    output: TextOrJsonOption = TextOrJson.text,
) -> None:
    """Revoke one API token: it is refused from now on (the user's other tokens stay)."""
    from medcite.cli.render import console, print_json

    with _library(home) as lib:
        revoked = lib.revoke_token(_operator(), token_id)
    if output is TextOrJson.json:
        print_json(revoked.to_dict())
    else:
        console.print(
            f"token {revoked.id} of {revoked.username} is revoked", highlight=False, markup=False
        )


@library.command("export")
def export(
    out: Annotated[
        Path | None, typer.Argument(help="JSONL file to write (default: stdout).")
    ] = None,
    with_secrets: Annotated[
        bool, typer.Option("--with-secrets", help="Include password and API token hashes.")
    ] = False,
    home: HomeOption = None,
) -> None:
    """Write the whole library as JSONL (users, articles, versions, events, comments, audit,
    threads), ending with a trailer of per-table counts and a SHA-256; a file is written
    beside OUT and renamed over it once complete."""
    from medcite.cli.render import errors

    with _library(home) as lib:
        if out is None:
            count = lib.export(sys.stdout, with_secrets=with_secrets)
        else:
            try:
                count = lib.export_to(out, with_secrets=with_secrets)
            except OSError as exc:
                fail(f"cannot write {out}: {exc.strerror or exc}")
    errors.print(f"exported {count:,} records" + ("" if with_secrets else " (without secrets)"))


@library.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="An export file.", exists=True, dir_okay=False)],
    home: HomeOption = None,
    output: TextOrJsonOption = TextOrJson.text,
    json_alias: JsonAlias = False,
) -> None:
    """Load an export into an empty library (e.g. PostgreSQL via MEDCITE_DATABASE_URL);
    a file without its trailer, or whose counts or hash do not match, is refused whole."""
    from medcite.cli.render import console, print_json

    output = output_format(output, json_alias)
    with _library(home) as lib, path.open(encoding="utf-8") as lines:
        counts = lib.import_(_operator(), lines, source=str(path))
    if output is TextOrJson.json:
        print_json(counts)
    else:
        console.print(f"imported {sum(counts.values()):,} records into {lib.url.split('@')[-1]}")


@library.command("check")
def check(
    home: HomeOption = None,
    output: TextOrJsonOption = TextOrJson.text,
) -> None:
    """Check the history: the audit log's hash chain (first broken entry), cited passages'
    hashes, approvals against the review history. Exit 1 when anything is broken."""
    from rich.markup import escape

    from medcite.cli.render import console, errors, print_json

    with _library(home) as lib:
        report = lib.check_integrity(_operator())
    if output is TextOrJson.json:
        print_json(report.to_dict())
    else:
        broken = report.broken_entry
        if broken:
            errors.print(f"[red]audit entry {broken.entry_id}[/]: {escape(broken.problem)}")
        for problem in report.problems:
            errors.print(f"[red]broken[/] {escape(problem)}", highlight=False)
        state = "intact" if broken is None else "broken"
        head = report.chain.head_hash or "none"
        console.print(
            f"audit log: {report.audit_entries:,} entries, chain {state}; "
            f"head (last entry that fits) {head}",
            highlight=False,
        )
    if not report.ok:
        raise typer.Exit(1)


def save_draft(engine: Any, answer: Any, editor: str | None) -> None:
    """`medcite ask --save-draft`: store the answer as a draft article by ``editor``."""
    from medcite.cli.render import errors
    from medcite.library import InvalidRequest

    editor = editor or os.environ.get("MEDCITE_USER")
    if not editor:
        raise InvalidRequest(
            "--save-draft needs --as EDITOR (a user with the editor role; see `medcite users add`)"
        )
    actor = engine.library.local_actor(editor)
    draft = engine.library.create_draft(actor, answer=answer.to_dict())
    errors.print(f"saved as draft article {draft.id} ({draft.slug}) by {editor}")


@library.command("bench")
def bench(
    articles: Annotated[int, typer.Option(help="Articles to seed.")] = 10_000,
    repeats: Annotated[int, typer.Option(help="Timed calls per measurement.")] = 200,
    database_url: Annotated[
        str | None,
        typer.Option(help="An EMPTY database to seed (default: a temporary SQLite file)."),
    ] = None,
    question: Annotated[str, typer.Option(help="The question served and asked.")] = (
        "What are the treatment options for progressive multiple sclerosis?"
    ),
    http: Annotated[
        bool, typer.Option(help="Also time GET /ask (approved vs live) on a real uvicorn.")
    ] = True,
    home: HomeOption = None,
) -> None:
    """Serve-approved vs live-ask latency and review-queue/list/search p50/p95 (JSON)."""
    import tempfile

    from medcite.cli.render import print_json
    from medcite.errors import MedciteError
    from medcite.eval.bench.library import http_view, run
    from medcite.library import Library

    with tempfile.TemporaryDirectory(prefix="medcite-library-bench-") as scratch:
        url = database_url or f"sqlite:///{scratch}/library.sqlite"
        with open_engine(home) as engine, Library(engine.settings, url=url) as lib:
            try:
                result = run(engine, lib, articles=articles, repeats=repeats, question=question)
                if http:
                    result["http"] = http_view(
                        engine.settings, url, repeats=repeats, question=question
                    )
                print_json(result)
            except (ValueError, MedciteError) as exc:
                fail(str(exc))

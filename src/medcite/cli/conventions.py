"""What every `medcite` command shares: ``--home``, ``--format``, the engine, one-line errors.

The convention (sqlite-utils and datasette are the models): a command that prints results takes
``--format`` (``text`` for people, ``json`` for programs, ``markdown`` where a document or a
table is the result); with ``json`` nothing but JSON goes to stdout, and progress, notes and
errors go to stderr. An error is one line on stderr with exit status 2 (1 is a crash).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer


class Output(StrEnum):
    """Formats of an answer: a document, so markdown too."""

    text = "text"
    markdown = "markdown"
    json = "json"


class TextOrJson(StrEnum):
    """Formats of a report or a list."""

    text = "text"
    json = "json"


class TableOrJson(StrEnum):
    """Formats of a measurement, whose text is a Markdown table."""

    markdown = "markdown"
    json = "json"


HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $MEDCITE_HOME or the user data dir)."),
]
TextOrJsonOption = Annotated[
    TextOrJson, typer.Option("--format", help="text, or json (only JSON on stdout).")
]
TableOrJsonOption = Annotated[
    TableOrJson,
    typer.Option("--format", help="markdown (the table), or json (the whole result)."),
]
# The flag of earlier versions, kept working but out of the help.
JsonAlias = Annotated[
    bool, typer.Option("--json", hidden=True, help="Deprecated: use --format json.")
]

Chosen = TypeVar("Chosen", Output, TextOrJson, TableOrJson)


def output_format(chosen: Chosen, json_alias: bool) -> Chosen:
    """``chosen``, or JSON when the deprecated ``--json`` was given (said on stderr)."""
    if not json_alias:
        return chosen
    typer.echo("note: --json is deprecated; use --format json", err=True)
    return type(chosen)("json")


def open_engine(home: Path | None) -> Any:
    """The engine on ``home`` (default: the configured data directory)."""
    from medcite.config import Settings
    from medcite.service import Engine

    return Engine(Settings(home=home) if home else Settings())


def print_error(message: str) -> None:
    """``error: message`` on stderr, on one line however narrow the terminal."""
    from rich.markup import escape

    from medcite.cli.render import errors

    # escape: "pip install 'medcite[bench]'" is not rich markup.
    errors.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)


def fail(message: str) -> NoReturn:
    """One line on stderr, exit status 2."""
    print_error(message)
    raise typer.Exit(2)


def print_problems(problems: list[Any], limit: int = 20) -> None:
    """Skipped records on stderr, at most ``limit`` of them."""
    from rich.markup import escape

    from medcite.cli.render import errors

    for problem in problems[:limit]:
        errors.print(f"[yellow]skipped[/] {escape(str(problem))}", highlight=False)
    if len(problems) > limit:
        errors.print(f"… and {len(problems) - limit} more problems (see `--format json`)")

"""What the commands share: the ``--home`` option, opening the engine, failing, problems."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $MEDCITE_HOME or the user data dir)."),
]


def open_engine(home: Path | None) -> Any:
    from medcite.config import Settings
    from medcite.service import Engine

    return Engine(Settings(home=home) if home else Settings())


def fail(message: str) -> NoReturn:
    from medcite.cli.render import errors

    errors.print(f"[red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def print_problems(problems: list[Any], limit: int = 20) -> None:
    from rich.markup import escape

    from medcite.cli.render import errors

    for problem in problems[:limit]:
        errors.print(f"[yellow]skipped[/] {escape(str(problem))}", highlight=False)
    if len(problems) > limit:
        errors.print(f"… and {len(problems) - limit} more problems (see `--json`)")

"""`medcite verify FILE`: check an answer produced elsewhere against the corpus."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from medcite.errors import MedciteError

_STYLE = {
    "supported": "green",
    "partial": "yellow",
    "unsupported": "red",
    "contradicted": "bold red",
}


class InputFormat(StrEnum):
    auto = "auto"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    text = "text"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


def verify(
    file: Annotated[
        Path, typer.Argument(help="Answer file: medcite JSON, Markdown/text, or JSONL.")
    ],
    output: Annotated[
        ReportFormat, typer.Option("--format", help="Report as text or json.")
    ] = ReportFormat.text,
    input_format: Annotated[
        InputFormat, typer.Option("--input", help="Input format; auto detects it.")
    ] = InputFormat.auto,
    home: Annotated[Path | None, typer.Option("--home", help="Data directory.")] = None,
) -> None:
    """Label each statement supported / partial / unsupported / contradicted (heuristic).

    Statements citing numbered references (titles/PMIDs) are checked against those corpus
    documents; uncited statements and JSONL lines {"id","statement"} against a corpus search.
    """
    from medcite.cli.common import fail, open_engine
    from medcite.cli.render import print_json

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read: {exc}")
    try:
        with open_engine(home) as engine:
            report = engine.verify_text(text, fmt=input_format.value)
    except MedciteError as exc:
        fail(f"{file}: {exc}")
    if output is ReportFormat.json:
        print_json(report)
    else:
        print_report(report)


def print_report(report: dict[str, Any]) -> None:
    """Per statement: the label, the text, the best evidence and why; then the conflicts."""
    from rich.markup import escape

    from medcite.cli.render import console

    for item in report["statements"]:
        label = item["label"]
        cites = "".join(f"[{n}]" for n in item["citations"])
        console.print(
            f"[{_STYLE[label]}]{label.upper():>12}[/] {escape(item['text'])} "
            f"[cyan]{escape(cites)}[/]",
            highlight=False,
        )
        if item["evidence"]:
            best = item["evidence"][0]
            console.print(
                f"{'':>13}[dim]evidence ({escape(str(best['doc_id']))}):[/] "
                f"“{escape(best['quote'])}”",
                highlight=False,
            )
        for reason in item["reasons"]:
            console.print(f"{'':>13}[dim]- {escape(reason)}[/]", highlight=False)
    if report["conflicts"]:
        console.print("\n[bold]Conflicts[/]")
        for conflict in report["conflicts"]:
            console.print(f"  [yellow]⚠[/] {escape(conflict['summary'])}", highlight=False)
    counts = ", ".join(f"{n} {label}" for label, n in report["summary"].items())
    console.print(f"\n{counts}")
    console.print(f"[dim]{escape(report['verifier']['note'])}[/]", highlight=False)

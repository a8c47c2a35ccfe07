"""`medcite verify FILE`: check an answer produced elsewhere against the corpus."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from medcite.cli.conventions import HomeOption, TextOrJson, TextOrJsonOption, fail, open_engine
from medcite.errors import MedciteError

_STYLE = {
    "supported": "green",
    "partial": "yellow",
    "unsupported": "red",
    "contradicted": "bold red",
}
_SHOWN = {  # the outcome, with "partly" kept visible
    "supported": "SUPPORTED",
    "partial": "PARTLY",
    "unsupported": "NOT FOUND",
    "contradicted": "CONTRADICTED",
}


class InputFormat(StrEnum):
    auto = "auto"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    text = "text"


def verify(
    file: Annotated[
        Path, typer.Argument(help="Answer file: medcite JSON, Markdown/text, or JSONL.")
    ],
    output: TextOrJsonOption = TextOrJson.text,
    input_format: Annotated[
        InputFormat, typer.Option("--input", help="Input format; auto detects it.")
    ] = InputFormat.auto,
    home: HomeOption = None,
) -> None:
    """Say of each statement: supported, contradicted by a source, or not found (heuristic).

    Statements citing numbered references (titles/PMIDs) are checked against those corpus
    documents; uncited statements and JSONL lines {"id","statement"} against a corpus search.
    """
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
    if output is TextOrJson.json:
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
            f"[{_STYLE[label]}]{_SHOWN[label]:>15}[/] {escape(item['text'])} "
            f"[cyan]{escape(cites)}[/]",
            highlight=False,
        )
        console.print(f"{'':>16}[dim]{escape(item['finding'])}[/]", highlight=False)
        if item["evidence"] and item["outcome"] != "contradicted":  # the finding quotes it
            best = item["evidence"][0]
            console.print(
                f"{'':>16}[dim]evidence ({escape(str(best['doc_id']))}):[/] "
                f"“{escape(best['quote'])}”",
                highlight=False,
            )
        for reason in item["reasons"]:
            console.print(f"{'':>16}[dim]- {escape(reason)}[/]", highlight=False)
    if report["conflicts"]:
        console.print("\n[bold]Conflicts[/]")
        for conflict in report["conflicts"]:
            console.print(f"  [yellow]⚠[/] {escape(conflict['summary'])}", highlight=False)
    counts = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in report["outcomes"].items())
    partly = report["summary"].get("partial", 0)
    console.print(f"\n{counts}" + (f" ({partly} of them partly)" if partly else ""))
    for note in report["notes"]:
        console.print(f"[yellow]{escape(note)}[/]", highlight=False)
    console.print(f"[dim]{escape(report['verifier']['note'])}[/]", highlight=False)

"""Terminal rendering with rich: answers, hits and progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from medcite.compose.markdown import (
    cite,
    currency_line,
    reference_line,
    review_line,
    updated_line,
    verifier_note,
)
from medcite.models import Answer, Hit
from medcite.progress import ProgressFn

console = Console()
errors = Console(stderr=True)


class RateColumn(ProgressColumn):
    """Items per second (rich's own speed column assumes bytes)."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f}/s" if task.speed else "", style="progress.data.speed")


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[ProgressFn | None]:
    """A ProgressFn that draws one rich bar per task (on stderr), or None when disabled."""
    if not enabled:
        yield None
        return
    bars = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=False,
    )
    tasks: dict[str, TaskID] = {}

    def update(task: str, completed: int, total: int | None) -> None:
        if task not in tasks:
            tasks[task] = bars.add_task(task, total=total)
        bars.update(tasks[task], completed=completed, total=total)

    with bars:
        yield update


def print_answer(answer: Answer) -> None:
    console.print(Panel(f"[bold]{escape(answer.question)}[/]", expand=True))
    for warning in answer.warnings:  # the limits of the evidence first
        console.print(f"[yellow]⚠ {escape(warning)}[/]")
    console.print(f"[magenta]{escape(currency_line(answer))}[/]\n")
    console.print(f"[bold]{escape(answer.bottom_line.text)}[/]{escape(cite(answer.bottom_line))}\n")
    for section in answer.sections:
        console.print(f"[bold underline]{escape(section.title)}[/]")
        for s in section.statements:
            console.print(f"  • {escape(s.text)}[cyan]{escape(cite(s))}[/]")
        console.print()
    if answer.references:
        console.print("[bold]References[/]")
        for ref in answer.references:
            console.print(f"  {escape(reference_line(ref))}", highlight=False)
            for passage in ref.passages:
                console.print(f"     [dim]› {escape(_clip(passage.text))}[/]", highlight=False)
    if verifier_note(answer):
        console.print(f"\n[dim]{escape(verifier_note(answer))}[/]")
    console.print(f"\n[dim]{escape(review_line(answer))}[/]")
    if updated_line(answer):
        console.print(f"[dim]{escape(updated_line(answer))}[/]")
    console.print(f"[dim]{escape(answer.disclaimer)}[/]")
    timings = answer.engine.get("timings_ms", {})
    if timings:
        console.print(
            f"[dim]answered in {timings.get('total')} ms ({answer.engine.get('search_mode')})[/]"
        )


def _clip(text: str, limit: int = 300) -> str:
    """A passage shortened for the terminal (the JSON and Markdown carry it whole)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def print_hits(hits: list[Hit]) -> None:
    for hit in hits:
        doc = hit.document
        console.print(
            f"[bold]{hit.rank}.[/] [cyan]{escape(doc.doc_id)}[/] {hit.score:.3f}  "
            f"[bold]{escape(doc.title)}[/] — {escape(doc.source)}"
            f"{', ' + str(doc.year) if doc.year else ''}"
        )
        console.print(
            f"   {escape(hit.passage.text[:300])}{'…' if len(hit.passage.text) > 300 else ''}"
        )


def print_table_or_json(result: Any, table: str, as_json: bool) -> None:
    """A measurement: the whole result (``to_dict()``) as JSON, or its Markdown table."""
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(table, highlight=False, markup=False, soft_wrap=True)


def print_json(data: Any) -> None:
    import json

    print(json.dumps(data, ensure_ascii=False, indent=2))


def print_index_result(result: dict[str, Any]) -> None:
    """`medcite index`: what changed, the vectors, and what the index now is."""
    lexical = result["lexical"]
    _plain(
        f"index: {lexical['total']:,} passages ({lexical['upserted']:,} added or updated, "
        f"{lexical['deleted']:,} removed)"
    )
    if "dense" in result:
        dense = result["dense"]
        _plain(
            f"dense: {dense['vectors']:,} passages with vectors ({dense['embedded']:,} embedded "
            f"now, {dense['cached']:,} from the cache)"
        )
    _plain(_manifest_line(result["manifest"]))


def print_status(status: dict[str, Any]) -> None:
    """`medcite status`: the data directory, the corpus, the index and its manifest."""
    corpus, index = status["corpus"], status["index"]
    collections = ", ".join(f"{name} {n:,}" for name, n in corpus["by_collection"].items())
    _plain(f"home: {status['home']}")
    _plain(
        f"corpus: {corpus['documents']:,} documents ({collections or 'none'}), "
        f"{corpus['passages']:,} passages; last ingest {corpus['last_ingest'] or 'never'}"
    )
    _plain(
        f"index: {index['passages']:,} passages, {index['vectors']:,} vectors, "
        f"{index['pending']:,} waiting to be indexed"
    )
    _plain(_manifest_line(status["manifest"]))


def _manifest_line(manifest: dict[str, Any]) -> str:
    if not manifest:
        return "manifest: none yet (nothing indexed)"
    parts = [f"{manifest['backend']} backend"]
    if manifest.get("analyzer"):
        parts.append(f"analyzer {manifest['analyzer']}")
    parts.append(manifest.get("embedder_model_id") or "no embedder")
    return (
        f"manifest: {', '.join(parts)}; corpus snapshot {manifest['corpus_snapshot']}, "
        f"updated {manifest['updated_at']}"
    )


def _plain(line: str) -> None:
    console.print(line, highlight=False, markup=False, soft_wrap=True)

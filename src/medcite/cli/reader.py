"""The reader's part of `medcite ask`: threads, "Answering: ...", notes, related questions."""

from __future__ import annotations

from typing import Any

from rich.markup import escape


def ask_in_thread(
    engine: Any, question: str, audience: str, thread_id: str | None, composer: str | None = None
) -> Any:
    """Answer in thread ``thread_id``, or in a new thread whose id is printed to stderr."""
    from medcite.cli.render import errors

    turn = engine.answer_in_thread(thread_id, question, audience=audience, composer=composer)
    if thread_id is None:
        tid = turn.thread_id
        errors.print(f"thread {tid} (continue with --thread {tid})", highlight=False)
    return turn.answer


def print_answering(answer: Any) -> None:
    """For a follow-up, the rewritten question, before the answer."""
    from medcite.cli.render import console

    if answer.engine.get("follow_up"):
        console.print(f"[bold cyan]Answering:[/] {escape(answer.answering)}", highlight=False)


def print_reader_extras(answer: Any) -> None:
    """What the reader adds to a text/markdown answer, after it: notes, related questions."""
    from medcite.cli.render import console

    for note in answer.audience_notes:
        console.print(f"[green]ℹ {escape(note['title'])}:[/] {escape(note['text'])}")
    if answer.related_questions:
        console.print("[bold]Related questions[/]")
        for question in answer.related_questions:
            console.print(f"  ? {escape(question)}", highlight=False)

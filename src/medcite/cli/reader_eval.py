"""`medcite eval followups | related | readability`: the reader's measurements.

Run against a data directory holding the demo corpus (`medcite demo --home DIR` builds it).
Results are written with the shared writer (`medcite.eval.report`): JSON and Markdown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

EVAL_DIR = Path("eval/reader")
HomeOption = Annotated[Path | None, typer.Option("--home", help="Data directory.")]
OutOption = Annotated[Path, typer.Option(help="Directory for the JSON and Markdown results.")]
QuestionsOption = Annotated[
    Path, typer.Option(help='JSONL of {"question": ...} records.', exists=True)
]


def followups(
    data: Annotated[Path, typer.Option(help="Follow-up pairs (JSONL).", exists=True)] = EVAL_DIR
    / "followups.jsonl",
    out: OutOption = Path("bench-out/reader"),
    home: HomeOption = None,
) -> None:
    """Rewrite accuracy and Recall@10 with and without thread context."""
    from medcite.eval.reader import evaluate_followups, load_jsonl

    items = _load(lambda: load_jsonl(data, ("id", "history", "question", "expected_intent")))
    _run(lambda engine: evaluate_followups(engine, items), out, home)


def related(
    questions: QuestionsOption = EVAL_DIR / "questions.jsonl",
    n: Annotated[int, typer.Option(help="Related questions per question.")] = 8,
    out: OutOption = Path("bench-out/reader"),
    home: HomeOption = None,
) -> None:
    """Related questions: count, share with corpus evidence, diversity (MMR vs relevance)."""
    from medcite.eval.reader import evaluate_related

    texts = _questions(questions)
    _run(lambda engine: evaluate_related(engine, texts, n), out, home)


def readability(
    questions: QuestionsOption = EVAL_DIR / "questions.jsonl",
    out: OutOption = Path("bench-out/reader"),
    home: HomeOption = None,
) -> None:
    """Flesch-Kincaid grade of clinician and patient answers to the same questions."""
    from medcite.eval.reader import evaluate_readability

    texts = _questions(questions)
    _run(lambda engine: evaluate_readability(engine, texts), out, home)


def register(app: typer.Typer) -> None:
    """Add the reader's commands to `medcite eval`."""
    for command in (followups, related, readability):
        app.command()(command)


def _questions(path: Path) -> list[str]:
    from medcite.eval.reader import load_jsonl

    return [str(r["question"]) for r in _load(lambda: load_jsonl(path, ("question",)))]


def _load(read: Any) -> Any:
    from medcite.cli.common import fail
    from medcite.eval.reader import EvalDataError

    try:
        return read()
    except EvalDataError as exc:
        fail(str(exc))


def _run(measure: Any, out: Path, home: Path | None) -> None:
    from medcite.cli.common import fail, open_engine
    from medcite.cli.render import console
    from medcite.errors import MedciteError
    from medcite.eval.report import markdown_summary, write_result

    try:
        with open_engine(home) as engine:
            result = measure(engine)
            json_path, _ = write_result(result, out, corpus_hash=engine.store.snapshot_hash())
    except MedciteError as exc:
        fail(str(exc))
    console.print(markdown_summary(result), highlight=False)
    console.print(f"[dim]written to {json_path}[/]")

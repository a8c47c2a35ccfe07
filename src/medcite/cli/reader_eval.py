"""`medcite eval followups | related | readability`: the reader's measurements.

Run against a data directory holding the demo corpus (`medcite demo --home DIR` builds it).
Results are written with the shared writer (`medcite.eval.report`): JSON and Markdown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from medcite.cli.conventions import HomeOption, TableOrJson, TableOrJsonOption, fail, open_engine

EVAL_DIR = Path("eval/reader")
OutOption = Annotated[Path, typer.Option(help="Directory for the JSON and Markdown results.")]
QuestionsOption = Annotated[
    Path, typer.Option(help='JSONL of {"question": ...} records.', exists=True)
]


def followups(
    data: Annotated[Path, typer.Option(help="Follow-up pairs (JSONL).", exists=True)] = EVAL_DIR
    / "followups.jsonl",
    out: OutOption = Path("bench-out/reader"),
    home: HomeOption = None,
    output: TableOrJsonOption = TableOrJson.markdown,
) -> None:
    """Rewrite accuracy and Recall@10 with and without thread context."""
    from medcite.eval.reader import evaluate_followups, load_jsonl

    items = _load(lambda: load_jsonl(data, ("id", "history", "question", "expected_intent")))
    _run(lambda engine: evaluate_followups(engine, items), out, home, output)


def related(
    questions: QuestionsOption = EVAL_DIR / "questions.jsonl",
    n: Annotated[int, typer.Option(help="Related questions per question.")] = 8,
    out: OutOption = Path("bench-out/reader"),
    home: HomeOption = None,
    output: TableOrJsonOption = TableOrJson.markdown,
) -> None:
    """Related questions: count, share with corpus evidence, diversity (MMR vs relevance)."""
    from medcite.eval.reader import evaluate_related

    texts = _questions(questions)
    _run(lambda engine: evaluate_related(engine, texts, n), out, home, output)


def readability(
    questions: QuestionsOption = EVAL_DIR / "questions.jsonl",
    out: OutOption = Path("bench-out/reader"),
    home: HomeOption = None,
    output: TableOrJsonOption = TableOrJson.markdown,
) -> None:
    """Flesch-Kincaid grade of clinician and patient answers to the same questions."""
    from medcite.eval.reader import evaluate_readability

    texts = _questions(questions)
    _run(lambda engine: evaluate_readability(engine, texts), out, home, output)


def register(app: typer.Typer) -> None:
    """Add the reader's commands to `medcite eval`."""
    for command in (followups, related, readability):
        app.command()(command)


def _questions(path: Path) -> list[str]:
    from medcite.eval.reader import load_jsonl

    return [str(r["question"]) for r in _load(lambda: load_jsonl(path, ("question",)))]


def _load(read: Any) -> Any:
    from medcite.eval.jsonl import EvalDataError

    try:
        return read()
    except EvalDataError as exc:
        fail(str(exc))


def _run(measure: Any, out: Path, home: Path | None, output: TableOrJson) -> None:
    from medcite.cli.render import errors, print_table_or_json
    from medcite.errors import MedciteError
    from medcite.eval.report import markdown_summary, write_result

    try:
        with open_engine(home) as engine:
            result = measure(engine)
            json_path, _ = write_result(result, out, corpus_hash=engine.store.snapshot_hash())
    except MedciteError as exc:
        fail(str(exc))
    print_table_or_json(result, markdown_summary(result), output is TableOrJson.json)
    errors.print(f"written to {json_path}", highlight=False, markup=False)

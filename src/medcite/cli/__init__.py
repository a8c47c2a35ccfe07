"""The `medcite` command: a thin layer over :class:`medcite.service.Engine`.

Every command has ``--help``; machine output is ``--format json``; errors are one line on
stderr with exit status 2 (1 is reserved for crashes).
"""

from __future__ import annotations

import json
import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from medcite.cli.common import HomeOption, fail, open_engine, print_problems
from medcite.errors import MedciteError

app = typer.Typer(
    name="medcite",
    help="Clinical answers with verifiable citations, from a corpus you control.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    auto = "auto"
    pubmed_xml = "pubmed-xml"
    pubmedqa = "pubmedqa"
    medquad = "medquad"
    beir = "beir"
    jsonl = "jsonl"
    spl = "spl"
    openfda = "openfda"
    guideline_pdf = "guideline-pdf"
    guideline_html = "guideline-html"


class Output(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class Mode(StrEnum):
    auto = "auto"
    bm25 = "bm25"
    dense = "dense"
    hybrid = "hybrid"


class ComposerName(StrEnum):
    extractive = "extractive"
    llm = "llm"


class Audience(StrEnum):
    clinician = "clinician"
    pharmacist = "pharmacist"
    nurse = "nurse"
    student = "student"
    patient = "patient"


@app.command()
def demo(
    home: HomeOption = None,
    question: Annotated[
        str | None, typer.Option(help="Ask this instead of the demo question.")
    ] = None,
    output: Annotated[Output, typer.Option("--format", help="Answer format.")] = Output.text,
) -> None:
    """Build the demo corpus from ../shared/data (first run only) and answer the demo question."""
    from medcite import demo as demo_data
    from medcite.cli.render import errors, progress_bar
    from medcite.config import DEMO_QUESTION

    try:
        with open_engine(home) as engine:
            shared = demo_data.find_shared_data(engine.settings.demo_data)
            paths = demo_data.demo_paths(shared)
            if not demo_data.is_current(engine.settings.home, paths) or engine.backend.count() == 0:
                errors.print(f"Building the demo index from {shared} into {engine.settings.home}")
                started = time.perf_counter()
                with progress_bar() as progress:
                    report = engine.ingest(paths, progress=progress)
                print_problems(report.problems)
                errors.print(
                    f"Ingested {report.total('documents'):,} documents "
                    f"({report.total('passages'):,} passages) "
                    f"in {time.perf_counter() - started:.1f} s"
                )
                demo_data.mark_current(engine.settings.home, paths)
                _hint_dense(engine)
            _show_answer(engine.ask(question or DEMO_QUESTION), output)
    except MedciteError as exc:
        fail(str(exc))


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or directories to ingest.", exists=True)
    ],
    fmt: Annotated[
        Format, typer.Option("--format", help="Input format; auto detects it.")
    ] = Format.auto,
    home: HomeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Parse PubMed XML in N processes, resumable per file (checkpoint table).",
        ),
    ] = None,
) -> None:
    """Ingest PubMed XML (.xml/.xml.gz), PubMedQA, MedQuAD, BEIR folders, generic JSONL,
    FDA drug labels (SPL XML, openFDA JSON) and guidelines (PDF, HTML)."""
    from medcite.cli.render import console, print_json, progress_bar

    try:
        with open_engine(home) as engine, progress_bar(not (quiet or as_json)) as progress:
            report = engine.ingest(paths, fmt=fmt.value, progress=progress, workers=workers)
    except MedciteError as exc:
        fail(str(exc))
    if as_json:
        print_json(report.to_dict())
    else:
        totals = report.to_dict()["totals"]
        console.print(
            f"{totals['documents']:,} documents read: {totals['added']:,} added, "
            f"{totals['updated']:,} updated, {totals['unchanged']:,} unchanged; "
            f"{totals['passages']:,} passages written"
        )
        print_problems(report.problems)
    if report.total("documents") == 0 and report.problems:
        raise typer.Exit(2)


@app.command()
def index(
    dense: Annotated[
        bool, typer.Option("--dense", help="Also embed passages for hybrid search.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="Embed at most this many passages now.")] = None,
    home: HomeOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Bring the index up to date; with --dense, embed passages (resumable, cached by content)."""
    from medcite.cli.render import console, print_json, progress_bar

    result: dict[str, Any] = {}
    try:
        with open_engine(home) as engine, progress_bar(not as_json) as progress:
            result["lexical"] = vars(engine.index(progress=progress))
            if dense:
                result["dense"] = vars(engine.embed(limit=limit, progress=progress))
            result["manifest"] = engine.manifest()
    except MedciteError as exc:
        fail(str(exc))
    except ImportError as exc:
        fail(str(exc))
    if as_json:
        print_json(result)
    else:
        console.print_json(json.dumps(result))


@app.command()
def search(
    query: Annotated[str | None, typer.Argument(help="The query text.")] = None,
    k: Annotated[int, typer.Option("--k", help="How many hits.")] = 10,
    mode: Annotated[
        Mode, typer.Option(help="Ranking: auto = hybrid when vectors exist.")
    ] = Mode.auto,
    queries: Annotated[
        Path | None,
        typer.Option(help='JSONL of {"id","question"}: one output line per query.', exists=True),
    ] = None,
    output: Annotated[Output, typer.Option("--format", help="text or json.")] = Output.text,
    home: HomeOption = None,
) -> None:
    """Search passages. JSON hits: {rank, doc_id, passage_id, score, title, text, ...}."""
    from medcite.cli.render import print_hits, print_json

    if (query is None) == (queries is None):
        fail("give either a QUERY or --queries FILE")
    try:
        with open_engine(home) as engine:
            if queries is not None:
                _search_many(engine, queries, k, mode.value)
                return
            hits = engine.search(query or "", k=k, mode=mode.value)
    except MedciteError as exc:
        fail(str(exc))
    if output is Output.json:
        print_json([h.to_dict() for h in hits])
    else:
        print_hits(hits)


def _search_many(engine: Any, path: Path, k: int, mode: str) -> None:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                qid, question = str(item["id"]), str(item["question"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                print(
                    json.dumps({"line": number, "error": f"bad query line: {exc}"}), file=sys.stderr
                )
                continue
            hits = engine.search(question, k=k, mode=mode)
            print(json.dumps({"id": qid, "hits": [h.to_dict() for h in hits]}, ensure_ascii=False))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The clinical question.")],
    audience: Annotated[Audience, typer.Option(help="Who the answer is for.")] = Audience.clinician,
    output: Annotated[
        Output, typer.Option("--format", help="text, markdown or json.")
    ] = Output.text,
    composer: Annotated[
        ComposerName | None,
        typer.Option(
            help="extractive (offline) or llm (MEDCITE_LLM_BASE_URL); default: llm when configured."
        ),
    ] = None,
    home: HomeOption = None,
    thread: Annotated[
        str | None, typer.Option(help="Continue this thread: a follow-up in its context.")
    ] = None,
    new_thread: Annotated[
        bool, typer.Option("--new-thread", help="Start a thread (its id goes to stderr).")
    ] = False,
    save_draft: Annotated[
        bool, typer.Option("--save-draft", help="Also save the answer as a draft article.")
    ] = False,
    editor: Annotated[
        str | None, typer.Option("--as", help="Editor saving the draft (or $MEDCITE_USER).")
    ] = None,
) -> None:
    """Answer a question with a structured, cited answer from the corpus."""
    from medcite.cli.reader import ask_in_thread

    name = composer.value if composer else None

    if thread and new_thread:
        fail("give either --thread ID or --new-thread, not both")
    try:
        with open_engine(home) as engine:
            if thread or new_thread:
                answer = ask_in_thread(engine, question, audience.value, thread, name)
            else:
                answer = engine.ask(question, audience=audience.value, composer=name)
            if save_draft:
                from medcite.cli.library import save_draft as save

                save(engine, answer, editor)
            _show_answer(answer, output)
    except MedciteError as exc:
        fail(str(exc))


@app.command()
def status(home: HomeOption = None) -> None:
    """Corpus and index counts and the index manifest, as JSON."""
    from medcite.cli.render import print_json

    with open_engine(home) as engine:
        print_json(engine.status())


def _hint_dense(engine: Any) -> None:
    """One line on how to get hybrid search, said once, when the index is built."""
    from medcite.cli.render import errors

    if engine.backend.vector_count():
        return
    if engine.load_embedder() is None:
        errors.print(f"[dim]BM25 only: {engine.embedder_problem}[/]", highlight=False)
    else:
        errors.print(
            "[dim]BM25 only for now; `medcite index --dense` adds vectors for hybrid search "
            "(resumable; answers keep working meanwhile).[/]"
        )


def _show_answer(answer: Any, output: Output) -> None:
    from medcite.cli.reader import print_answering, print_reader_extras
    from medcite.cli.render import print_answer, print_json

    if output is Output.json:
        print_json(answer.to_dict())
        return
    print_answering(answer)
    if output is Output.markdown:
        from medcite.compose.markdown import to_markdown

        print(to_markdown(answer))
    else:
        print_answer(answer)
    print_reader_extras(answer)


def _register_subcommands() -> None:
    from medcite.cli import eval as eval_commands
    from medcite.cli import fetch as fetch_commands
    from medcite.cli import library as library_commands
    from medcite.cli import reader_eval
    from medcite.cli import verify as verify_command
    from medcite.cli.bench import bench
    from medcite.cli.serve import serve

    reader_eval.register(eval_commands.app)
    app.add_typer(eval_commands.app, name="eval")
    app.add_typer(fetch_commands.app, name="fetch")
    app.add_typer(library_commands.users, name="users")
    app.add_typer(library_commands.library, name="library")
    app.command()(bench)
    app.command()(serve)
    app.command()(verify_command.verify)


_register_subcommands()


def main() -> None:
    app()

"""`medcite eval ...`: quality on labelled datasets, each beside bm25s, in the shared result shape.

Every command writes ``OUT/<eval>-<dataset>.json`` and ``.md`` (:mod:`medcite.eval.report`)
and a PNG chart, and prints the Markdown table. The dataset's corpus is ingested into its own
data directory (default ``OUT/homes/<dataset>``), which later runs reuse: nothing is ingested
or embedded twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from medcite.cli.bench import bench
from medcite.cli.common import fail

app = typer.Typer(help="Measure quality (and speed) against references.", no_args_is_help=True)

SystemsOption = Annotated[
    str,
    typer.Option(
        help="Comma-separated systems: bm25, dense, hybrid, hybrid-weighted, bm25s "
        "(bm25s, the same-run reference, is always added)."
    ),
]
OutOption = Annotated[Path, typer.Option("--out", help="Directory for results and charts.")]
FormatOption = Annotated[
    str, typer.Option("--format", help="What to print: markdown (the table) or json (the result).")
]
HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Data directory for the dataset's corpus (default OUT/homes/NAME)."
    ),
]


@app.command()
def retrieval(
    dataset: Annotated[
        Path, typer.Option(help="A BEIR folder (corpus.jsonl, queries.jsonl, qrels/).", exists=True)
    ],
    split: Annotated[str, typer.Option(help="qrels split (qrels/SPLIT.tsv).")] = "test",
    systems: SystemsOption = "bm25,dense,hybrid,hybrid-weighted",
    out: OutOption = Path("eval-out"),
    home: HomeOption = None,
    output: FormatOption = "markdown",
) -> None:
    """nDCG@10, Recall@1/10/100, MRR@10 per system on a BEIR dataset."""
    from medcite.eval.retrieval import load_beir

    if not (dataset / "qrels" / f"{split}.tsv").is_file():
        fail(f"{dataset}: no qrels/{split}.tsv (is it a BEIR folder?)")
    data = load_beir(dataset, split)

    def run(engine: Any, chosen: list[str], progress: Any) -> Any:
        from medcite.eval.retrieval import evaluate_retrieval

        return evaluate_retrieval(engine, data, chosen, progress=progress)[0]

    _evaluate(run, data.name.split("-")[0], systems, out, home, chart="ndcg@10", output=output)


@app.command()
def pubmedqa(
    data: Annotated[Path, typer.Option(help="The PubMedQA folder.", exists=True)],
    split: Annotated[
        str, typer.Option(help="dev (labelled) or test (questions only: predictions file).")
    ] = "dev",
    systems: SystemsOption = "bm25,dense,hybrid",
    composer: Annotated[
        str,
        typer.Option(help="Answer composer for yes/no/maybe (extractive), or none to skip."),
    ] = "extractive",
    out: OutOption = Path("eval-out"),
    home: HomeOption = None,
    output: FormatOption = "markdown",
) -> None:
    """Own-abstract Recall@1/5/10 and MRR@10; yes/no/maybe accuracy and macro-F1 on dev."""
    from medcite.eval.pubmedqa import COMPOSERS

    if split not in ("dev", "test"):
        fail(f"unknown split {split!r}; use dev or test")
    if composer != "none" and composer not in COMPOSERS:
        fail(f"unknown composer {composer!r}; choose from {', '.join(COMPOSERS)} or none")

    def run(engine: Any, chosen: list[str], progress: Any) -> Any:
        from medcite.cli.render import errors
        from medcite.eval.pubmedqa import evaluate_pubmedqa

        result, predictions = evaluate_pubmedqa(
            engine,
            data,
            split,
            chosen,
            out,
            composer=None if composer == "none" else composer,
            progress=progress,
        )
        errors.print(f"predictions: {predictions}", highlight=False)
        return result

    _evaluate(run, "pubmedqa", systems, out, home, chart="recall@1", output=output)


app.command("speed", help="Alias of `medcite bench`: speed by corpus size beside bm25s.")(bench)


def _evaluate(
    run: Any, name: str, systems: str, out: Path, home: Path | None, chart: str, output: str
) -> None:
    from medcite.cli.common import open_engine
    from medcite.cli.render import console, print_json, progress_bar
    from medcite.errors import MedciteError
    from medcite.eval.plots import bar_chart
    from medcite.eval.pubmedqa import LeakageError
    from medcite.eval.report import markdown_summary, write_result
    from medcite.index.embed import EmbedderUnavailable

    if output not in ("markdown", "json"):
        fail(f"unknown --format {output!r}; use markdown or json")
    chosen = [s.strip() for s in systems.split(",") if s.strip()]  # bm25s is always added
    try:
        with (
            open_engine(home or out / "homes" / name) as engine,
            progress_bar(output != "json") as progress,
        ):
            result = run(engine, chosen, progress)
    except (MedciteError, EmbedderUnavailable, LeakageError, ValueError, ImportError) as exc:
        fail(str(exc))
    json_path, _ = write_result(result, out)
    bar_chart(result.systems, chart, out / f"{json_path.stem}.png", f"{result.dataset} {chart}")
    if output == "json":
        print_json(result.to_dict())
    else:
        console.print(markdown_summary(result), highlight=False)


@app.command("verify")
def verify_quality(
    pairs: Annotated[
        Path, typer.Option(help="Labelled pairs (python -m medcite.eval.verify_pairs makes them).")
    ] = Path("eval/verify/pairs.jsonl"),
    scifact: Annotated[
        Path | None, typer.Option(help="SciFact folder; default: the shared data's scifact.")
    ] = None,
    out: Annotated[Path, typer.Option(help="Directory for the JSON + Markdown results.")] = Path(
        "eval-out"
    ),
    embed: Annotated[
        bool, typer.Option(help="Also run the verifier with MiniLM similarity (if installed).")
    ] = True,
) -> None:
    """Claim verification: P/R/F1 per label and confusion matrices, vs lexical overlap."""
    from medcite.cli.render import console
    from medcite.config import Settings
    from medcite.demo import find_shared_data
    from medcite.errors import MedciteError
    from medcite.eval.verify import markdown_report, run

    if not pairs.is_file():
        fail(f"{pairs} not found; build it with `python -m medcite.eval.verify_pairs`")
    try:
        folder = scifact or find_shared_data(Settings().demo_data) / "scifact"
    except MedciteError as exc:
        fail(str(exc))
    embedder = _embedder_or_none(Settings()) if embed else None
    for result, path in run(pairs, folder if folder.is_dir() else None, out, embedder):
        console.print(markdown_report(result), highlight=False, markup=False, soft_wrap=True)
        console.print(f"[dim]written: {path}[/]")


def _embedder_or_none(settings: Any) -> Any:
    from medcite.index.embed import EmbedderUnavailable, OnnxEmbedder

    try:
        return OnnxEmbedder(settings.embed)
    except EmbedderUnavailable:
        return None


@app.command("answers")
def answers_quality(
    questions: Annotated[
        Path, typer.Option(help='JSONL of {"id","question","expected_facts"?}.', exists=True)
    ] = Path("eval/questions.jsonl"),
    out: Annotated[Path, typer.Option(help="Directory for the JSON + Markdown results.")] = Path(
        "eval-out"
    ),
    home: HomeOption = None,
) -> None:
    """Citation recall/precision (ALCE-style), supported share, facts and latency per question."""
    from medcite.cli.common import open_engine
    from medcite.cli.render import console, progress_bar
    from medcite.errors import MedciteError
    from medcite.eval.answers import evaluate_answers, load_questions, markdown_report
    from medcite.eval.report import write_result

    try:
        loaded = load_questions(questions)
        with open_engine(home) as engine, progress_bar() as progress:
            result = evaluate_answers(engine, loaded, progress=progress)
            _, md_path = write_result(result, out, corpus_hash=engine.store.snapshot_hash())
    except (MedciteError, ValueError) as exc:
        fail(str(exc))
    report = markdown_report(result)
    md_path.write_text(md_path.read_text() + "\n" + report)
    summary = result.systems["extractive"]
    console.print(
        " | ".join(
            f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in summary.items()
        ),
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"[dim]per-question report: {md_path}[/]")

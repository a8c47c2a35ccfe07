"""`medcite eval ...`: retrieval quality per search mode on labelled datasets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(help="Measure quality on labelled datasets.", no_args_is_help=True)

ModesOption = Annotated[
    str, typer.Option(help="Comma-separated search modes: bm25, dense, hybrid.")
]
OutOption = Annotated[Path | None, typer.Option(help="Write the full results (JSON) here.")]
HomeOption = Annotated[Path | None, typer.Option("--home", help="Data directory.")]


@app.command()
def retrieval(
    dataset: Annotated[
        Path, typer.Option(help="A BEIR folder (corpus, queries, qrels).", exists=True)
    ],
    split: Annotated[str, typer.Option(help="qrels split.")] = "test",
    modes: ModesOption = "bm25,hybrid",
    out: OutOption = None,
    home: HomeOption = None,
) -> None:
    """nDCG@10, Recall@100, MRR@10 on a BEIR dataset (ingests its corpus first)."""
    from medcite.eval.retrieval import load_beir

    _run(load_beir(dataset, split), modes, out, home)


@app.command()
def pubmedqa(
    data: Annotated[Path, typer.Option(help="The PubMedQA folder.", exists=True)],
    split: Annotated[str, typer.Option(help="dev (labelled).")] = "dev",
    modes: ModesOption = "bm25,hybrid",
    out: OutOption = None,
    home: HomeOption = None,
) -> None:
    """Is each question's own abstract retrieved? Recall@1/@10, MRR@10 over the corpus."""
    from medcite.eval.retrieval import load_pubmedqa

    _run(load_pubmedqa(data, split), modes, out, home)


def _run(data: Any, modes: str, out: Path | None, home: Path | None) -> None:
    from medcite.cli import _engine
    from medcite.cli.render import console, progress_bar
    from medcite.eval.retrieval import evaluate

    chosen = [m.strip() for m in modes.split(",") if m.strip()]
    with _engine(home) as engine:
        with progress_bar() as progress:
            engine.ingest([data.corpus], progress=progress)
            if set(chosen) - {"bm25"} and engine.backend.vector_count() < engine.backend.count():
                engine.embed(progress=progress)
        results = evaluate(engine, data, chosen)
    summary = {mode: r["score"] for mode, r in results.items()}
    console.print(f"[bold]{data.name}[/] ({next(iter(results.values()))['queries']} queries)")
    metrics = list(next(iter(summary.values())))
    console.print("| mode | " + " | ".join(metrics) + " |", highlight=False)
    for mode, score in summary.items():
        console.print(f"| {mode} | " + " | ".join(f"{score[m]:.3f}" for m in metrics) + " |")
    if out:
        out.write_text(json.dumps({"dataset": data.name, "results": results}, indent=1))


@app.command("verify")
def verify_quality(
    pairs: Annotated[
        Path, typer.Option(help="Labelled pairs (python -m medcite.verify.evalset makes them).")
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
    from medcite.cli import _fail
    from medcite.cli.render import console
    from medcite.config import Settings
    from medcite.demo import find_shared_data
    from medcite.errors import MedciteError
    from medcite.eval.verify import markdown_report, run

    if not pairs.is_file():
        _fail(f"{pairs} not found; build it with `python -m medcite.verify.evalset`")
    try:
        folder = scifact or find_shared_data(Settings().demo_data) / "scifact"
    except MedciteError as exc:
        _fail(str(exc))
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
    from medcite.cli import _engine, _fail
    from medcite.cli.render import console, progress_bar
    from medcite.errors import MedciteError
    from medcite.eval.answers import evaluate_answers, load_questions, markdown_report
    from medcite.eval.report import write_result

    try:
        loaded = load_questions(questions)
        with _engine(home) as engine, progress_bar() as progress:
            result = evaluate_answers(engine, loaded, progress=progress)
            _, md_path = write_result(result, out, corpus_hash=engine.store.snapshot_hash())
    except (MedciteError, ValueError) as exc:
        _fail(str(exc))
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

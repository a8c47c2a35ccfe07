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
from medcite.cli.conventions import HomeOption as DataHomeOption
from medcite.cli.conventions import TableOrJson, TableOrJsonOption, fail, open_engine

app = typer.Typer(help="Measure quality (and speed) against references.", no_args_is_help=True)

SystemsOption = Annotated[
    str,
    typer.Option(
        help="Comma-separated systems: bm25, dense, hybrid, hybrid-weighted, bm25s "
        "(bm25s, the same-run reference, is always added)."
    ),
]
OutOption = Annotated[Path, typer.Option("--out", help="Directory for results and charts.")]
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
    output: TableOrJsonOption = TableOrJson.markdown,
) -> None:
    """nDCG@10, Recall@1/10/100, MRR@10 per system on a BEIR dataset."""
    from medcite.cli.extras import require
    from medcite.eval.retrieval import load_beir

    require("eval retrieval", "bm25s")  # the same-run reference
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
    output: TableOrJsonOption = TableOrJson.markdown,
) -> None:
    """Own-abstract Recall@1/5/10 and MRR@10; yes/no/maybe accuracy and macro-F1 on dev."""
    from medcite.cli.extras import require
    from medcite.eval.pubmedqa import COMPOSERS

    require("eval pubmedqa", "bm25s")  # the same-run reference
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
    run: Any,
    name: str,
    systems: str,
    out: Path,
    home: Path | None,
    chart: str,
    output: TableOrJson,
) -> None:
    from medcite.cli.extras import fail_on_missing_extra
    from medcite.cli.render import print_table_or_json, progress_bar
    from medcite.errors import MedciteError
    from medcite.eval.plots import bar_chart
    from medcite.eval.pubmedqa import LeakageError
    from medcite.eval.report import markdown_summary, write_result
    from medcite.index.embed import EmbedderUnavailable

    chosen = [s.strip() for s in systems.split(",") if s.strip()]  # bm25s is always added
    try:
        with open_engine(home or out / "homes" / name) as engine, progress_bar() as progress:
            result = run(engine, chosen, progress)
    except (MedciteError, EmbedderUnavailable, LeakageError, ValueError) as exc:
        fail(str(exc))
    except ImportError as exc:
        fail_on_missing_extra(exc)
    json_path, _ = write_result(result, out)
    bar_chart(result.systems, chart, out / f"{json_path.stem}.png", f"{result.dataset} {chart}")
    print_table_or_json(result, markdown_summary(result), output is TableOrJson.json)


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
    demo: Annotated[
        Path,
        typer.Option(help="Statements written from the demo corpus (dev and test halves)."),
    ] = Path("eval/verify/demo-statements.jsonl"),
    output: TableOrJsonOption = TableOrJson.markdown,
) -> None:
    """Claim verification on every set, each beside the lexical-overlap baseline."""
    from medcite.cli.render import console, errors, print_json
    from medcite.config import Settings
    from medcite.demo import find_shared_data
    from medcite.errors import MedciteError
    from medcite.eval.verify import markdown_report, run, summary_table

    if not pairs.is_file():
        fail(f"{pairs} not found; build it with `python -m medcite.eval.verify_pairs`")
    if scifact is not None and not (scifact / "claims_dev.jsonl").is_file():
        fail(f"{scifact}: not a SciFact folder (no claims_dev.jsonl)")
    try:
        shared = find_shared_data(Settings().demo_data)
    except MedciteError as exc:
        if scifact is None or demo.is_file():
            fail(str(exc))
        shared = None
    folder = scifact or (shared / "scifact" if shared else None)
    demo_set = (demo, shared) if demo.is_file() and shared is not None else None
    embedder = _embedder_or_none(Settings()) if embed else None
    written = run(pairs, folder if folder and folder.is_dir() else None, out, embedder, demo_set)
    if output is TableOrJson.json:
        print_json([result.to_dict() for result, _ in written])
    else:
        for result, _ in written:
            console.print(markdown_report(result), highlight=False, markup=False, soft_wrap=True)
        console.print(summary_table([r for r, _ in written]), highlight=False, markup=False)
    for _, path in written:
        errors.print(f"written: {path}", highlight=False, markup=False)
    errors.print(f"written: {out / 'verify-summary.md'}", highlight=False, markup=False)


def _embedder_or_none(settings: Any) -> Any:
    from medcite.index.embed import EmbedderUnavailable, OnnxEmbedder

    try:
        return OnnxEmbedder(settings.embed)
    except EmbedderUnavailable:
        return None


@app.command("answers")
def answers_quality(
    questions: Annotated[
        Path,
        typer.Option(
            help="A question set folder (<split>/questions.jsonl, see eval/answers/README.md) "
            'or one JSONL file (also the original {"id","question","expected_facts"?} rows).',
            exists=True,
        ),
    ] = Path("eval/answers"),
    split: Annotated[
        str,
        typer.Option(
            help="dev, test, holdout, fresh, final, unseen, cold, sealed or all"
            " (questions carrying a split)."
        ),
    ] = "dev",
    out: Annotated[Path, typer.Option(help="Directory for the JSON + Markdown results.")] = Path(
        "eval-out"
    ),
    home: DataHomeOption = None,
    output: TableOrJsonOption = TableOrJson.markdown,
) -> None:
    """Key facts, expected source, topic lock, abstention, dangling statements, section fit and
    warm latency per split (no verifier as judge); citation recall/precision by the verifier.
    The search mode is the configured one (MEDCITE_SEARCH__MODE=bm25|hybrid)."""
    from medcite.cli.render import console, errors, print_json, progress_bar
    from medcite.errors import MedciteError
    from medcite.eval.answers import clinician_report, evaluate_answers, markdown_report, text_table
    from medcite.eval.report import write_result

    try:
        loaded = _answer_questions(questions, split)
        with open_engine(home) as engine, progress_bar(output is not TableOrJson.json) as progress:
            result = evaluate_answers(engine, loaded, progress=progress)
            _, md_path = write_result(result, out, corpus_hash=engine.store.snapshot_hash())
    except (MedciteError, ValueError) as exc:
        fail(str(exc))
    clinician = "extractive" not in result.systems
    report = clinician_report(result) if clinician else markdown_report(result)
    md_path.write_text(md_path.read_text() + "\n" + report)
    if output is TableOrJson.json:
        print_json(result.to_dict())
    elif clinician:
        console.print(text_table(result), highlight=False, markup=False, soft_wrap=True)
    else:
        summary = result.systems["extractive"]
        console.print(
            " | ".join(
                f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in summary.items()
            ),
            highlight=False,
            soft_wrap=True,
        )
    errors.print(f"per-question report: {md_path}", highlight=False, markup=False)


def _answer_questions(path: Path, split: str) -> list[Any]:
    """The questions of a set folder or file; ``split`` filters those that carry one."""
    from medcite.eval.answer_questions import (
        SPLIT_CHOICES,
        SPLITS,
        load_question_set,
        load_questions,
    )

    if path.is_dir():
        return load_question_set(path, split)
    if split not in (*SPLITS, "all"):
        raise ValueError(f"unknown split {split!r}; use {SPLIT_CHOICES}")
    loaded = load_questions(path)
    return [q for q in loaded if split == "all" or not q.split or q.split == split]


@app.command("judged")
def judged(
    files: Annotated[
        list[Path],
        typer.Argument(help="Judgement files (<split>/judgements-*.jsonl).", exists=True),
    ],
) -> None:
    """Shares of statements judged by reading: answers / on topic but not the question /
    irrelevant, and misleading, per file and over all of them (also over the answerable
    questions alone when a file holds unanswerable ones)."""
    from medcite.cli.render import console
    from medcite.eval.judgements import COUNTS, judged_shares, load_judgements

    try:
        loaded = {str(path): load_judgements(path) for path in files}
    except ValueError as exc:
        fail(str(exc))
    if len(loaded) > 1:
        loaded["all"] = [row for rows in list(loaded.values()) for row in rows]
    for name, rows in list(loaded.items()):
        if any(row.get("answerable") is False for row in rows):
            loaded[f"{name} (answerable questions)"] = [
                r for r in rows if r.get("answerable", True)
            ]
    for name, rows in loaded.items():
        shares = judged_shares(rows)
        cells = [f"{k} {v:.0f}" if k in COUNTS else f"{k} {v:.3f}" for k, v in shares.items()]
        console.print(f"{name}: " + ", ".join(cells), highlight=False, markup=False, soft_wrap=True)

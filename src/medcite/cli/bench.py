"""`medcite bench` (also `medcite eval speed`): ingest, search and answer speed by corpus size.

See :mod:`medcite.eval.bench.run`. Exports only the command function; ``medcite.cli`` registers it
with ``app.command()(bench)`` and :mod:`medcite.cli.eval` as ``speed``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer


def bench(
    quick: Annotated[
        bool,
        typer.Option("--quick", help="One 2k-document synthetic corpus, few queries: seconds."),
    ] = False,
    sizes: Annotated[
        str | None,
        typer.Option(
            "--sizes",
            help="Comma-separated synthetic corpus sizes in documents "
            "(default 10000,100000; 2000 with --quick), e.g. 10000,100000,1000000.",
        ),
    ] = None,
    demo: Annotated[
        bool | None,
        typer.Option(
            "--demo/--no-demo", help="Also measure the demo corpus (default: yes, not --quick)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Measure again corpora already measured in OUT.")
    ] = False,
    out: Annotated[
        Path, typer.Option("--out", help="Where results, plots and synthetic corpora go.")
    ] = Path("bench-out"),
    home: Annotated[
        Path | None,
        typer.Option(
            "--home", help="Parent of the benchmark's data directories (default: OUT/homes)."
        ),
    ] = None,
) -> None:
    """Benchmark speed by corpus size beside bm25s; resumable; prints a Markdown table.

    Writes OUT/results.json (every number), OUT/bench.md, OUT/speed-synthetic.json/.md (the
    shared eval shape) and OUT/latency-vs-passages.png; a corpus already measured in OUT is
    kept unless --force.
    """
    from medcite.errors import MedciteError
    from medcite.eval.bench.run import BenchConfig, run
    from medcite.index.embed import EmbedderUnavailable

    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        # OpenBLAS threads spinning beside onnxruntime's double query-embedding time on 2
        # cores (see medcite.index.embed). `import medcite` sets 1 unless told otherwise,
        # and numpy is loaded by now, so only a value set before start-up gets here.
        typer.echo(
            "warning: OPENBLAS_NUM_THREADS is not 1; dense timings will be pessimistic "
            "(run `OPENBLAS_NUM_THREADS=1 medcite bench`)",
            err=True,
        )
    try:
        chosen = tuple(int(n) for n in sizes.split(",") if n.strip()) if sizes else None
    except ValueError:
        typer.echo(f"error: --sizes must be comma-separated integers, got {sizes!r}", err=True)
        raise typer.Exit(2) from None
    if chosen and min(chosen) < 100:
        typer.echo("error: each synthetic corpus needs at least 100 documents", err=True)
        raise typer.Exit(2)
    config = BenchConfig.quick() if quick else BenchConfig()
    if chosen:
        config = replace(config, sizes=chosen)
    if demo is not None:
        config = replace(config, demo=demo)
    try:
        run(config, out, home, force=force)
    except (EmbedderUnavailable, ImportError) as exc:
        typer.echo(f"error: {exc} (the bench needs the [dense] and [bench] extras)", err=True)
        raise typer.Exit(2) from exc
    except (FileExistsError, MedciteError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc

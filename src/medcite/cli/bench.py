"""`medcite bench`: measure ingest, search and answer speed; see :mod:`medcite.bench.run`.

Exports only the command function; ``medcite.cli`` registers it with ``app.command()(bench)``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer


def bench(
    quick: Annotated[
        bool,
        typer.Option("--quick", help="10k synthetic documents, fewer queries: under 2 minutes."),
    ] = False,
    size: Annotated[
        int | None,
        typer.Option(
            "--size", min=100, help="Synthetic documents (default 100000, or 10000 with --quick)."
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="Where results.json and the synthetic corpus go.")
    ] = Path("bench-out"),
    home: Annotated[
        Path | None,
        typer.Option(
            "--home", help="Parent of the benchmark's data directories (default: OUT/homes)."
        ),
    ] = None,
) -> None:
    """Benchmark on the demo corpus and a synthetic one, beside bm25s; prints a Markdown table."""
    from medcite.bench.run import BenchConfig, run
    from medcite.errors import MedciteError
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
    if size is None:
        size = 10_000 if quick else 100_000
    config = BenchConfig.quick(size) if quick else BenchConfig(size=size)
    try:
        run(config, out, home)
    except (EmbedderUnavailable, ImportError) as exc:
        typer.echo(f"error: {exc} (the bench needs the [dense] and [bench] extras)", err=True)
        raise typer.Exit(2) from exc
    except (FileExistsError, MedciteError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc

"""`medcite fetch pubmed "query"`: build a topic corpus from PubMed through E-utilities."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Fetch sources from the outside world into files.", no_args_is_help=True)


@app.command()
def pubmed(
    query: Annotated[str, typer.Argument(help='A PubMed query, e.g. "multiple sclerosis[MeSH]".')],
    max_records: Annotated[
        int | None, typer.Option("--max", min=1, help="Fetch at most this many records.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after YYYY[-MM[-DD]].")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for pubmed-fetch-NNNN.xml (default: <home>/fetch/pubmed)."),
    ] = None,
    ingest: Annotated[
        bool, typer.Option("--ingest", help="Ingest the fetched files when done.")
    ] = False,
    output: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    home: Annotated[Path | None, typer.Option("--home", help="Data directory.")] = None,
) -> None:
    """Search PubMed and save the records as PubMed XML batches, resumably.

    Respects NCBI's rate limits (3 requests/s, 10/s with MEDCITE_NCBI__API_KEY), retries
    429/5xx/broken answers with backoff, and continues an interrupted fetch when run again.
    """
    from medcite.cli.common import fail, open_engine, print_problems
    from medcite.cli.render import console, errors, print_json, progress_bar
    from medcite.errors import MedciteError
    from medcite.fetch.pubmed import fetch_pubmed, pubmed_date

    if output not in ("text", "json"):
        fail(f"--format must be text or json, not {output!r}")
    try:
        if since:
            pubmed_date(since)
    except ValueError as exc:
        fail(str(exc))
    result: dict[str, object] = {}
    try:
        with open_engine(home) as engine, progress_bar(output == "text") as progress:
            folder = out or engine.settings.home / "fetch" / "pubmed"
            report = fetch_pubmed(
                query,
                folder,
                engine.settings.ncbi,
                max_records=max_records,
                since=since,
                progress=progress,
            )
            result["fetch"] = report.to_dict()
            if ingest and report.files:
                ingested = engine.ingest([Path(f) for f in report.files], progress=progress)
                result["ingest"] = ingested.to_dict()
    except MedciteError as exc:
        fail(str(exc))
    if output == "json":
        print_json(result)
        return
    console.print(
        f"{report.records_fetched:,} of {report.count:,} records in {len(report.files)} files "
        f"under {folder} ({report.batches_fetched} batches fetched now, "
        f"{report.batches_resumed} from an earlier run; {report.requests} requests, "
        f"{report.retries} retries, {report.seconds:.1f} s)"
    )
    if ingest and report.files:
        totals = ingested.to_dict()["totals"]
        console.print(
            f"ingested {totals['documents']:,} documents: {totals['added']:,} added, "
            f"{totals['updated']:,} updated, {totals['unchanged']:,} unchanged"
        )
        print_problems(ingested.problems)
    elif not ingest:
        errors.print(f"[dim]next: medcite ingest {folder}[/]", highlight=False)

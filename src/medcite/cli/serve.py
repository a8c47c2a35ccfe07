"""`medcite serve`: the web app and REST API with uvicorn; see :mod:`medcite.web.app`.

Exports only the command function; ``medcite.cli`` registers it with ``app.command()(serve)``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from medcite.cli.common import HomeOption


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default 127.0.0.1, or web.host).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(min=0, max=65535, help="Port (default 8000, or web.port).")
    ] = None,
    home: HomeOption = None,
) -> None:
    """Serve the answer pages and the REST API (/api/v1, docs at /docs)."""
    try:
        import uvicorn

        from medcite.web.app import create_app
    except ImportError as exc:
        typer.echo(
            f"error: {exc.name or exc} is missing; install the web extra: "
            "pip install 'medcite[web]'",
            err=True,
        )
        raise typer.Exit(2) from exc
    from medcite.config import Settings

    settings = Settings(home=home) if home else Settings()
    bind_host = host or settings.web.host
    bind_port = settings.web.port if port is None else port
    typer.echo(f"medcite serving {settings.home} at http://{bind_host}:{bind_port}/", err=True)
    uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level="warning")

"""The `newsroom` command."""

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Operate the Newsroom publishing platform.", no_args_is_help=True)


@app.callback()
def main() -> None:
    """Newsroom: ingest → Redis streams → render and feeds → static site."""


@app.command()
def run(
    state: Annotated[
        Path, typer.Option(help="Folder for the embedded Redis, site and token.")
    ] = Path(".newsroom"),
    port: Annotated[int, typer.Option(help="Port of the site server.")] = 8000,
    ingest_port: Annotated[int, typer.Option(help="Port of the ingest API.")] = 8001,
    demo: Annotated[bool, typer.Option(help="Load demo articles into an empty store.")] = True,
) -> None:
    """Run the whole platform locally: Redis, ingest, render, feeds and a site server.

    Example: newsroom run --port 8000
    """
    from newsroom.runner import run as run_platform

    run_platform(state, port, ingest_port, demo)


@app.command()
def rebuild(
    jobs: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")] = None,
) -> None:
    """Render the whole site from the store (after a theme change, say), on all cores.

    Example: REDIS_URL=redis://127.0.0.1:6379/0 newsroom rebuild
    """
    from services.render.rebuild import rebuild as rebuild_site
    from shared.settings import get_settings

    totals = rebuild_site(get_settings(), jobs)
    typer.echo(f"{totals.files_written} files written, {totals.files_removed} removed")


if __name__ == "__main__":
    app()

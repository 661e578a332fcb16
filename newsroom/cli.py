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


if __name__ == "__main__":
    app()

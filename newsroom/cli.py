"""The `newsroom` command."""

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from redis.asyncio import Redis
from rich.console import Console

from newsroom.run_state import DEFAULT_STATE

app = typer.Typer(
    help="Operate the Newsroom publishing platform.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
console = Console()
err_console = Console(stderr=True)
T = TypeVar("T")


@app.callback()
def main() -> None:
    """Newsroom: ingest → Redis streams → render and feeds → static site."""


@app.command()
def run(
    state: Annotated[
        Path, typer.Option(help="Folder for the embedded Redis, site, token and logs.")
    ] = DEFAULT_STATE,
    port: Annotated[int, typer.Option(help="Port of the site server.")] = 8000,
    ingest_port: Annotated[int, typer.Option(help="Port of the ingest API.")] = 8001,
    demo: Annotated[bool, typer.Option(help="Load demo articles into an empty store.")] = True,
    json_logs: Annotated[
        bool, typer.Option(help="Show the services' JSON logs as they are, not short lines.")
    ] = False,
) -> None:
    """Run the whole platform locally: Redis, ingest, render, feeds and a site server.

    The services' logs show as short lines (time, service, level, message, article); the
    whole JSON records go to `STATE/logs/<service>.jsonl`. Other commands started in the same
    folder use this run's Redis (`STATE/run.json`) while it runs.

    Example: newsroom run --port 8000
    """
    from newsroom.runner import ClusterUrlMissingError, StateInUseError
    from newsroom.runner import run as run_platform
    from shared.api_tokens import WeakTokenError

    try:
        run_platform(state, port, ingest_port, demo, json_logs)
    except (WeakTokenError, StateInUseError, ClusterUrlMissingError) as e:
        console.print(str(e), style="red", markup=False)
        raise typer.Exit(1) from None


def _choose_redis() -> None:
    """Use REDIS_URL, else the Redis of the `newsroom run` running in this folder (and its
    public folder and site URL); say which on stderr."""
    from newsroom.run_state import use_runner_settings
    from shared.settings import get_settings

    line = use_runner_settings(DEFAULT_STATE, os.environ)
    err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    get_settings.cache_clear()


def _with_redis(work: Callable[[Redis], Awaitable[T]]) -> T:
    """Run `work` with a Redis client of the Redis `_choose_redis` picks."""
    from shared.redis_client import open_redis
    from shared.settings import get_settings

    _choose_redis()

    async def main() -> T:
        redis = open_redis(get_settings())
        try:
            return await work(redis)
        finally:
            await redis.aclose()

    return asyncio.run(main())


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A .jsonl archive.")],
) -> None:
    """Import articles from a JSON Lines file, one article per line with its "id".

    Every line goes through the API's validation and sanitizing; the articles and their
    events are stored, and render and feeds publish them. Rejected lines are listed with
    their numbers and reasons; the exit code is 1 when any line was rejected, else 0.

    Example: REDIS_URL=redis://127.0.0.1:6379/0 newsroom import archive.jsonl
    """
    from newsroom.importer import run_import

    _choose_redis()
    raise typer.Exit(run_import(file, console))


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Per stream: its length, each consumer group's lag and pending count; dead letters; the
    public folder's state per render and feeds replica.

    Lag is how many entries a group has not read yet; pending, how many it read but has not
    acknowledged. Both at 0 means the site is up to date. A replica's folder is `ok`,
    `rebuilding` (with progress), `waiting` (for Redis or another replica's rebuild) or
    `refused` (the store looks wrong: the reason says why; nothing is deleted).

    Example: newsroom stats --json
    """
    from newsroom.stats import collect, site_table, table

    result = _with_redis(collect)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        console.print(table(result))
        console.print(site_table(result))


dlq_app = typer.Typer(help="Dead letters: entries consumers gave up on.", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")


@dlq_app.command("list")
def dlq_list(limit: Annotated[int, typer.Option(help="How many, oldest first.")] = 50) -> None:
    """List dead letters, oldest first.

    Example: newsroom dlq list --limit 20
    """
    from rich.table import Table

    from shared.consuming.dead_letters import list_letters
    from shared.settings import get_settings

    letters = _with_redis(lambda r: list_letters(r, get_settings().layout, limit))
    out = Table(title=f"{len(letters)} dead letter(s)")
    for column in ("ref", "stream", "group", "deliveries", "failed_at", "error"):
        out.add_column(column)
    for letter in letters:
        f = letter.fields
        out.add_row(
            letter.ref,
            *(f.get(k, "") for k in ("stream", "group", "deliveries", "failed_at")),
            f.get("error", "")[:80],
        )
    console.print(out)


@dlq_app.command("show")
def dlq_show(
    letter_id: Annotated[
        str, typer.Argument(help="Reference (or entry id) from `newsroom dlq list`.")
    ],
) -> None:
    """Show one dead letter with its error and the original entry.

    Example: newsroom dlq show store/1764072000000-0
    """
    from shared.consuming.dead_letters import DeadLetterNotFoundError, get_letter
    from shared.settings import get_settings

    try:
        letter = _with_redis(lambda r: get_letter(r, get_settings().layout, letter_id))
    except DeadLetterNotFoundError:
        console.print(f"[red]no dead letter {letter_id}[/]")
        raise typer.Exit(1) from None
    fields = {k: v for k, v in letter.fields.items() if k != "payload"}
    shown = {"ref": letter.ref, "id": letter.id, **fields, "payload": letter.payload}
    console.print_json(data=shown)


@dlq_app.command("replay")
def dlq_replay(
    letter_ids: Annotated[
        list[str], typer.Argument(help="References (or entry ids) from `newsroom dlq list`.")
    ],
) -> None:
    """Put dead letters back on their streams (after fixing the cause) and delete them.

    Example: newsroom dlq replay store/1764072000000-0 store/1764072000001-0
    """
    from shared.consuming.dead_letters import DeadLetterNotFoundError, replay
    from shared.settings import get_settings

    async def replay_each(redis: Redis) -> dict[str, str | None]:
        """Each letter's new entry id, None for a letter not found."""
        new_ids: dict[str, str | None] = {}
        for letter_id in letter_ids:
            try:
                new_ids[letter_id] = await replay(redis, get_settings().layout, letter_id)
            except DeadLetterNotFoundError:
                new_ids[letter_id] = None
        return new_ids

    new_ids = _with_redis(replay_each)
    for letter_id, new_id in new_ids.items():
        if new_id is None:
            console.print(f"[red]no dead letter {letter_id}[/]")
        else:
            console.print(f"replayed {letter_id} as {new_id}")
    raise typer.Exit(1 if None in new_ids.values() else 0)


token_app = typer.Typer(help="API tokens for editorial systems.", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("new")
def token_new(
    name: Annotated[
        str, typer.Option(help="Whose token: the editorial system its writes are recorded as.")
    ] = "default",
    env_file: Annotated[
        Path | None, typer.Option(help="Also add it to NEWSROOM_API_TOKENS in this file.")
    ] = None,
) -> None:
    """Print a new strong API token as `name:secret`, the form NEWSROOM_API_TOKENS lists.

    The editorial system sends the secret (after the colon) as `Authorization: Bearer …`.
    Services read NEWSROOM_API_TOKENS at start: restart ingest after adding a token.

    Example: newsroom token new --name cms --env-file .env && docker compose up -d ingest
    """
    from newsroom.tokens import add_to_env_file, new_token
    from shared.api_tokens import WeakTokenError

    try:
        token = new_token(name)
    except WeakTokenError as e:
        raise typer.BadParameter(str(e), param_hint="--name") from None
    if env_file is not None:
        add_to_env_file(env_file, token)
        typer.echo(f"added to NEWSROOM_API_TOKENS in {env_file} (mode 0600)", err=True)
    print(token)


@app.command()
def rebuild(
    jobs: Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")] = None,
    pages: Annotated[bool, typer.Option(help="Render every page of the site.")] = True,
    feeds: Annotated[bool, typer.Option(help="Write the feeds of every list.")] = True,
    force: Annotated[
        bool, typer.Option(help="Rebuild even from a store that is empty or older than the site.")
    ] = False,
) -> None:
    """Rewrite the whole site from the store: every page (on all cores), then every feed.

    After a theme change, a feed-format change or the loss of the public folder (the services
    also rebuild a lost folder by themselves). `--no-pages` or `--no-feeds` skips that part
    (feeds only, after a feed-format change: the example). A store that is empty, or older
    than the site's manifest (an emptied Redis, an old backup), is refused with the reason:
    `--force` rebuilds from it anyway, removing the pages it does not have.

    Example: REDIS_URL=redis://127.0.0.1:6379/0 newsroom rebuild --no-pages
    """
    from newsroom.site_rebuild import StoreRefusedError, rebuild_parts
    from shared.settings import get_settings

    _choose_redis()
    try:
        for line in rebuild_parts(get_settings(), jobs, pages=pages, feeds=feeds, force=force):
            typer.echo(line)
    except StoreRefusedError as refused:
        console.print(f"[bold red]refused:[/] {refused}; `newsroom rebuild --force` rebuilds")
        raise typer.Exit(1) from None


if __name__ == "__main__":
    app()

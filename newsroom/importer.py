"""`newsroom import`: load an archive of articles (JSON Lines) through the API's validation.

Each line is one JSON object: the article as `PUT /api/articles/{id}` takes it, plus its
`"id"`. A line goes through exactly what the API does (the ArticleIn contract, the HTML
sanitizer, ArticleStore.save, which writes the article and its event in one transaction), so
render and feeds pick the imported articles up like any other. Bad lines are reported with
their numbers and reasons; the good ones are imported either way.
"""

import asyncio
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError
from rich.console import Console
from rich.table import Table

from newsroom.import_progress import ImportProgress, rate
from shared.article import ArticleId, ArticleIn
from shared.markup.sanitize import clean_article
from shared.redis_client import open_redis
from shared.settings import get_settings
from shared.slugs import make_slug, unnumbered
from shared.store import ArticleStore, SlugTakenError, open_store
from shared.store.migration import prepare_store

_article_id: TypeAdapter[str] = TypeAdapter(ArticleId)
# Lines saved at once (see import_lines).
AT_ONCE = 16


class LineError(ValueError):
    """Why one line of the archive cannot be imported."""


@dataclass(frozen=True)
class Rejected:
    """A line left out, and why."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """Lines whose article is now in the store."""
        return self.created + self.updated + self.unchanged


def _errors(e: ValidationError, prefix: str = "") -> str:
    return "; ".join(
        f"{prefix}{'.'.join(str(p) for p in err['loc']) or 'article'}: {err['msg']}"
        for err in e.errors()
    )


def parse_line(text: str, site_host: str = "") -> tuple[str, ArticleIn]:
    """The article id and the validated, sanitized article of one line (links to
    `site_host` count as the site's own, as in the API)."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as e:
        raise LineError(f"malformed JSON: {e.msg} at column {e.colno}") from None
    if not isinstance(data, dict):
        raise LineError("not a JSON object")
    try:
        article_id = _article_id.validate_python(data.pop("id", None))
    except ValidationError as e:
        raise LineError(f"id: {e.errors()[0]['msg']}") from None
    try:
        article = ArticleIn.model_validate(data)
    except ValidationError as e:
        raise LineError(_errors(e)) from None
    return article_id, clean_article(article, site_host)


async def import_lines(
    store: ArticleStore,
    lines: Iterable[str],
    on_line: Callable[[str], None] = lambda _: None,
    site_host: str = "",
) -> ImportReport:
    """Import every line as if one after the other in file order; `on_line` is called with
    each line once it is done.

    A save spends most of its time waiting on Redis, so up to AT_ONCE lines are saved at
    once; a line that could touch what an earlier one still being saved touches (the same
    article, the same slug or one it may fall back to) waits for it, so every article and
    every slug comes out as a one-at-a-time import would leave them.
    """
    report = ImportReport()
    window = asyncio.Semaphore(AT_ONCE)
    running: dict[str, set[asyncio.Task[None]]] = {}

    async def save(number: int, text: str, article_id: str, article: ArticleIn) -> None:
        try:
            result = await store.save(article_id, article, by="import")
        except SlugTakenError as e:
            report.rejected.append(Rejected(number, f"slug {e} belongs to another article"))
        else:
            report.created += result.created
            report.updated += result.changed and not result.created
            report.unchanged += not result.changed
        finally:
            window.release()
        on_line(text)

    def forget(task: asyncio.Task[None], claims: tuple[str, ...]) -> None:
        for claim in claims:
            running[claim].discard(task)
            if not running[claim]:
                del running[claim]

    try:
        async with asyncio.TaskGroup() as group:
            for number, text in enumerate(lines, start=1):
                try:
                    if not text.strip():
                        on_line(text)
                        continue
                    article_id, article = parse_line(text, site_host)
                except LineError as e:
                    report.rejected.append(Rejected(number, str(e)))
                    on_line(text)
                    continue
                claims, touches = _claims(article_id, article)
                earlier = set().union(*(running.get(claim, ()) for claim in touches))
                await window.acquire()
                if earlier:
                    await asyncio.wait(earlier)
                task = group.create_task(save(number, text, article_id, article))
                for claim in claims:
                    running.setdefault(claim, set()).add(task)
                task.add_done_callback(lambda done, mine=claims: forget(done, mine))
    except ExceptionGroup as failed:  # a save that could not be done (Redis gone...)
        raise failed.exceptions[0] from None
    report.rejected.sort(key=lambda rejected: rejected.line)
    return report


def _claims(article_id: str, article: ArticleIn) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a line's save holds while it runs, and what it must wait for.

    A save takes its slug `s` (asked for, or made from the title) or, when taken, `s-2`,
    `s-3`… (shared.slugs.numbered): two saves may compete for a slug when their `s` are equal
    or one is the other with a number appended (`bare`: shared.slugs.unnumbered).
    """
    slug = article.slug or make_slug(article.title)
    bare = unnumbered(slug)
    claims = (f"id:{article_id}", f"slug:{slug}", f"bare:{bare}")
    return claims, (*claims[:2], f"slug:{bare}", f"bare:{slug}")


def run_import(path: Path, console: Console) -> int:
    """Import a file showing its progress, print the summary with the rate; exit code 1 if
    lines were rejected."""
    settings = get_settings()
    with path.open(encoding="utf-8") as f:
        total = sum(1 for _ in f)

    async def main() -> ImportReport:
        redis = open_redis(settings)
        store = open_store(settings, redis)
        try:
            await prepare_store(redis, store.relay)
            with path.open(encoding="utf-8") as f, progress:
                site_host = urlsplit(settings.site_url).hostname or ""
                return await import_lines(
                    store, f, lambda _: progress.advance(), site_host=site_host
                )
        finally:
            await store.slots.aclose()
            await redis.aclose()

    progress = ImportProgress(console, path.name, total)
    report = asyncio.run(main())
    console.print(
        f"imported {report.imported} of {total} lines: {report.created} created, "
        f"{report.updated} updated, {report.unchanged} unchanged, "
        f"{len(report.rejected)} rejected in {progress.seconds:.1f} s "
        f"({rate(progress.done, progress.seconds)})",
        highlight=False,
    )
    if report.rejected:
        rejected = Table("line", "reason", title="rejected lines")
        for r in report.rejected:
            rejected.add_row(str(r.line), r.reason)
        console.print(rejected)
    return 1 if report.rejected else 0

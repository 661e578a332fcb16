"""The demo site's files, as render and feeds write them, against golden copies kept in the
tests: a refactoring that changes what a reader gets fails here.

The site is built at a frozen moment, so every date in it (saves, feeds' build dates, the news
sitemap's window) is the same on every run: once event by event, as the services would (render
and feeds in batches), and once by a full rebuild of pages and feeds. Both
must give the same files, the ones recorded (from the event-by-event build).

After a deliberate change of the output, regenerate the copies with
`NEWSROOM_UPDATE_GOLDEN=1 ./scripts/test tests/render/test_golden.py` (the run then fails, so
that a regeneration is never silent) and review the diff of `tests/golden/` before committing.
"""

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine

from newsroom.demo import DEMO_DIR
from services.feeds.publisher import FeedPublisher
from services.feeds.rebuild import rebuild_feeds
from services.render.rebuild import rebuild
from services.render.search_index import BUNDLE
from shared.events import DATA_FIELD, ArticleChanged, article_event_adapter
from shared.topology import ARTICLES_STREAM
from tests.support.redis_server import redis_executor, url_of
from tests.support.site import (
    SITEMAP_SIZE,
    EventPump,
    build_site,
    open_store,
    renderer_for,
    site_settings,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "site"
FROZEN_AT = "2026-11-30T09:00:00+00:00"
UPDATE = os.environ.get("NEWSROOM_UPDATE_GOLDEN") == "1"


class BothServices:
    """Render and feeds, each handling the store's events the way its service does."""

    def __init__(self, *consumers: object) -> None:
        self.consumers = consumers

    async def apply(self, events: list[ArticleChanged]) -> None:
        for consumer in self.consumers:
            await consumer.apply(events)


def site_files(root: Path, guids: dict[str, str]) -> dict[str, bytes]:
    """Every file a reader can fetch under `root` (hidden bookkeeping folders and the search
    index left out: a full rebuild builds the index, the event pump does not, and
    test_search_index checks it), each article's random guid written as its id (`guids`:
    guid -> article id), so that the files are the same on every run and a guid given to the
    wrong article still shows."""
    files = (p for p in root.rglob("*") if p.is_file())
    found = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(files)
        if not any(part.startswith(".") or part == BUNDLE for part in p.relative_to(root).parts)
    }
    for path, data in found.items():
        for guid, article_id in guids.items():
            data = data.replace(guid.encode(), f"urn:article:{article_id}".encode())
        found[path] = data
    return found


async def article_guids(redis_url: str) -> dict[str, str]:
    """The guid of every article the store announced, with the article's id."""
    store = open_store(redis_url)
    try:
        entries = await store.redis.xrange(ARTICLES_STREAM)
        ids = {
            article_event_adapter.validate_json(f[DATA_FIELD.encode()]).article_id
            for _, f in entries
        }
        articles = [await store.get(article_id) for article_id in sorted(ids)]
        return {a.guid: a.id for a in articles if a is not None}
    finally:
        await store.redis.aclose()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, bytes]]]:
    """The files of the demo site written event by event ("incremental") and by a full rebuild
    ("rebuilt")."""
    workdir = tmp_path_factory.mktemp("golden")
    roots = {"incremental": workdir / "incremental", "rebuilt": workdir / "rebuilt"}
    with (
        redis_executor(workdir / "redis") as executor,
        time_machine.travel(FROZEN_AT, tick=False),
    ):
        url = url_of(executor)

        async def by_events() -> None:
            store = open_store(url)
            settings = site_settings(url, roots["incremental"])
            renderer = await renderer_for(store, settings)
            feeds = FeedPublisher(store, settings)
            await build_site(store, EventPump(store, BothServices(renderer, feeds)))
            await store.redis.aclose()

        asyncio.run(by_events())
        settings = site_settings(url, roots["rebuilt"])
        shutil.copytree(DEMO_DIR / "static", roots["rebuilt"] / "static")
        rebuild(settings, jobs=1, show_progress=False, sitemap_size=SITEMAP_SIZE)
        rebuild_feeds(settings, show_progress=False)
        guids = asyncio.run(article_guids(url))
        yield {how: site_files(root, guids) for how, root in roots.items()}


@pytest.mark.parametrize("how", ["incremental", "rebuilt"])
def test_the_demo_site_comes_out_as_recorded(built: dict[str, dict[str, bytes]], how: str) -> None:
    got = built[how]
    if UPDATE and how == "incremental":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for path, data in got.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(data)
        pytest.fail("golden files rewritten: review `git diff tests/golden` before committing")
    want = site_files(GOLDEN, {})
    assert sorted(got) == sorted(want), "the site's set of files changed"
    changed = [path for path in want if got[path] != want[path]]
    assert changed == [], f"{len(changed)} files differ from tests/golden/site: {changed[:10]}"

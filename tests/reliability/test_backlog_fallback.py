"""A backlog rebuild that fails (the disk filled up) falls back to working the backlog batch
by batch: every event is rendered and acknowledged, none lost, and the service goes on."""

import errno
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from services.render.app import create_app
from shared.files import site_path
from shared.settings import Settings
from shared.site_keeper import Progress
from shared.site_manifest import read_manifest
from shared.store import ArticleStore, open_store
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from tests.support.consumer_runs import running
from tests.support.samples import article_in
from tests.support.timing import eventually

BACKLOG = 20


async def settled(redis: Redis) -> bool:
    """Whether the render group read and acknowledged every article event."""
    groups = await redis.xinfo_groups(ARTICLES_STREAM)
    (render,) = [g for g in groups if g["name"].decode() == RENDER_GROUP]
    return render["lag"] == 0 and render["pending"] == 0


@pytest.fixture
def settings(redis_url: str, tmp_path: Path) -> Settings:
    """Render on the test's Redis, working a backlog of BACKLOG // 2 events as a rebuild."""
    return Settings(
        REDIS_URL=redis_url, public_dir=tmp_path / "public", backlog_rebuild=BACKLOG // 2
    )


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[ArticleStore]:
    """The article store, closed after the test."""
    store = open_store(settings)
    yield store
    await store.redis.aclose()


async def test_a_failed_backlog_rebuild_falls_back_to_batches(
    settings: Settings, store: ArticleStore, caplog: pytest.LogCaptureFixture
):
    first = await store.save("first", article_in(title="Первая статья"))

    # Render starts on an empty folder, rebuilds it, and stops.
    service = create_app(settings)
    run = await running(service, 60)
    assert not run.done()
    await eventually(lambda: read_manifest(settings.public_dir, "render") is not None, 60)
    service.app.exit()
    assert await run == 0

    # While it is away an archive arrives: a backlog of BACKLOG events, most of the site.
    saved = [await store.save(f"a{n}", article_in(title=f"Статья {n}")) for n in range(BACKLOG)]

    # Back, it works the backlog as a rebuild, which fails: the disk is full.
    service = create_app(settings)
    attempts: list[str] = []

    def full_disk(_: Settings, __: Progress) -> object:
        attempts.append("rebuild")
        raise OSError(errno.ENOSPC, "No space left on device")

    assert service.keeper is not None
    service.keeper.rebuild = full_disk
    with caplog.at_level(logging.WARNING):
        run = await running(service, 60)
        assert not run.done()
        await eventually(lambda: settled(store.redis), 60)

    # It fell back to the batches: every article's page is written, every event acknowledged.
    assert attempts == ["rebuild"]
    assert "backlog rebuild failed; working the backlog batch by batch" in caplog.text
    for result in [first, *saved]:
        page = site_path(settings.public_dir, result.article.url)
        assert result.article.title in page.read_text(encoding="utf-8")
    manifest = read_manifest(settings.public_dir, "render")
    assert manifest is not None and manifest.revision == await store.revision()

    # And the service goes on: a new article is rendered as usual.
    late = await store.save("late", article_in(title="Поздняя статья"))
    late_page = site_path(settings.public_dir, late.article.url)
    await eventually(late_page.exists, 30)
    service.app.exit()
    assert await run == 0

"""A backlog rebuild that fails (the disk filled up) falls back to working the backlog batch
by batch: every event is rendered and acknowledged, none lost, and the service goes on."""

import asyncio
import errno
import logging
from pathlib import Path

import pytest
from redis.asyncio import Redis

from services.render.app import create_app
from shared.consuming.service import ConsumerService
from shared.settings import Settings
from shared.site_keeper import Progress
from shared.site_manifest import read_manifest
from shared.store import open_store
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from tests.support.samples import article_in
from tests.support.timing import eventually

BACKLOG = 20


async def running(service: ConsumerService) -> "asyncio.Task[int]":
    """The service's run, once its broker reads."""
    task = asyncio.create_task(service.run())
    await eventually(lambda: service.broker.running or task.done(), 60)
    assert not task.done()
    return task


async def settled(redis: Redis) -> bool:
    """Whether the render group read and acknowledged every article event."""
    groups = await redis.xinfo_groups(ARTICLES_STREAM)
    (render,) = [g for g in groups if g["name"].decode() == RENDER_GROUP]
    return render["lag"] == 0 and render["pending"] == 0


async def test_a_failed_backlog_rebuild_falls_back_to_batches(
    redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    settings = Settings(
        REDIS_URL=redis_url, public_dir=tmp_path / "public", backlog_rebuild=BACKLOG // 2
    )
    store = open_store(settings)
    first = await store.save("first", article_in(title="Первая статья"))

    # Render starts on an empty folder, rebuilds it, and stops.
    service = create_app(settings)
    run = await running(service)
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
        run = await running(service)
        await eventually(lambda: settled(store.redis), 60)

    # It fell back to the batches: every article's page is written, every event acknowledged.
    assert attempts == ["rebuild"]
    assert "backlog rebuild failed; working the backlog batch by batch" in caplog.text
    for result in [first, *saved]:
        page = settings.public_dir / result.article.url.strip("/") / "index.html"
        assert result.article.title in page.read_text(encoding="utf-8")
    manifest = read_manifest(settings.public_dir, "render")
    assert manifest is not None and manifest.revision == await store.revision()

    # And the service goes on: a new article is rendered as usual.
    late = await store.save("late", article_in(title="Поздняя статья"))
    late_page = settings.public_dir / late.article.url.strip("/") / "index.html"
    await eventually(late_page.exists, 30)
    service.app.exit()
    assert await run == 0
    await store.redis.aclose()

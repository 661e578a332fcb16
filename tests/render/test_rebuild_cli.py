"""`newsroom rebuild`: the whole site, pages and feeds, from the store, from the command line."""

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from newsroom.cli import app
from shared.settings import get_settings
from tests.support.feed_checks import assert_valid_rss
from tests.support.site import new_article, open_store

FEEDS = ("feeds/rss.xml", "feeds/atom.xml", "feeds/feed.json", "section/proisshestviya/rss.xml")


async def fill(redis_url: str) -> list[str]:
    store = open_store(redis_url)
    for n in range(3):
        await store.save(f"cli-{n}", new_article(n, hours_ago=n))
    urls = [(await store.get(f"cli-{n}")).url for n in range(3)]
    await store.redis.aclose()
    return urls


async def retitle(redis_url: str, title: str) -> None:
    """Give the newest article a new title, at the same URL."""
    store = open_store(redis_url)
    published = (await store.get("cli-0")).published_at.isoformat()
    await store.save("cli-0", new_article(0, title=title, published_at=published))
    await store.redis.aclose()


@pytest.fixture
def public(redis_url, tmp_path, monkeypatch) -> Path:
    """The public folder the command writes into, on the test's Redis."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("NEWSROOM_PUBLIC_DIR", str(tmp_path / "public"))
    return tmp_path / "public"


@pytest.fixture
def newsroom_rebuild(public) -> Callable[..., Result]:
    """Run `newsroom rebuild` with the given options, as an operator would."""

    def run(*options: str) -> Result:
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, ["rebuild", "--jobs", "1", *options])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 0, result.output
        return result

    return run


def titles(feed: Path) -> list[str]:
    return [entry.title for entry in assert_valid_rss(feed.read_bytes()).entries]


def test_rebuild_command_writes_every_page_and_feed_from_the_store(
    redis_url, public, newsroom_rebuild
):
    # Three articles are in the store, and nothing has been rendered yet.
    urls = asyncio.run(fill(redis_url))

    # The operator runs the rebuild.
    result = newsroom_rebuild()

    # It says what it did: pages first, then feeds.
    assert result.output.index("pages: ") < result.output.index("feeds: ")
    assert "feeds: 13 files changed in 6 lists" in result.output

    # Every article page, the lists, archives, sitemaps and fixed pages are on disk.
    for url in urls:
        assert (public / url.strip("/") / "index.html").is_file()
    for path in ("index.html", "section/proisshestviya/index.html", "sitemap.xml", "404.html"):
        assert (public / path).is_file(), path

    # So are the feeds of the site and of each list, with the three articles, newest first.
    assert titles(public / "feeds/rss.xml") == [f"Сводка происшествий номер {n}" for n in range(3)]
    for path in FEEDS:
        assert (public / path).is_file(), path


def test_no_feeds_and_no_pages_leave_that_part_alone(redis_url, public, newsroom_rebuild):
    # The site and its feeds were rebuilt; then an article is retitled in the store.
    urls = asyncio.run(fill(redis_url))
    newsroom_rebuild()
    feeds = {path: (public / path).read_bytes() for path in FEEDS}
    page = public / urls[0].strip("/") / "index.html"
    asyncio.run(retitle(redis_url, "Второй заголовок сводки"))

    # A rebuild without feeds shows the new title on the article page, not in the feeds.
    result = newsroom_rebuild("--no-feeds")
    assert "feeds:" not in result.output
    assert "Второй заголовок сводки" in page.read_text(encoding="utf-8")
    assert {path: (public / path).read_bytes() for path in FEEDS} == feeds

    # Retitled again, a rebuild without pages puts the new title in the feeds, not on the page.
    asyncio.run(retitle(redis_url, "Третий заголовок сводки"))
    result = newsroom_rebuild("--no-pages")
    assert "pages:" not in result.output
    assert titles(public / "feeds/rss.xml")[0] == "Третий заголовок сводки"
    assert "Второй заголовок сводки" in page.read_text(encoding="utf-8")


async def restore_without_newest(redis_url: str) -> None:
    """Redis comes back from a backup taken before the newest article was published."""
    store = open_store(redis_url)
    await store.redis.flushdb()
    for n in (1, 2):
        await store.save(f"cli-{n}", new_article(n, hours_ago=n))
    await store.redis.aclose()


@pytest.mark.parametrize("configured_as", ["folder", "link to the folder"])
def test_rebuild_removes_pages_the_store_no_longer_has_and_nothing_else(
    redis_url, public, newsroom_rebuild, monkeypatch, configured_as
):
    # The public folder is configured as itself, or as a link to it (a mounted volume, say).
    if configured_as != "folder":
        public.mkdir()
        (public.parent / "link").symlink_to(public)
        monkeypatch.setenv("NEWSROOM_PUBLIC_DIR", str(public.parent / "link"))

    # The site was built with three articles; the operator keeps pages of their own beside it.
    urls = asyncio.run(fill(redis_url))
    newsroom_rebuild()
    own = {"about/index.html": "<h1>О редакции</h1>", "images/logo.svg": "<svg/>"}
    for path, text in own.items():
        (public / path).parent.mkdir(parents=True, exist_ok=True)
        (public / path).write_text(text, encoding="utf-8")

    # Redis is restored from a backup that lacks the newest article; the site is rebuilt.
    asyncio.run(restore_without_newest(redis_url))
    result = newsroom_rebuild("--no-feeds")

    # The newest article's page is gone with its folder, and no list links to it any more.
    stale = public / urls[0].strip("/")
    assert not stale.exists()
    assert "removed" in result.output and "0 removed" not in result.output
    home = (public / "index.html").read_text(encoding="utf-8")
    assert urls[0] not in home and urls[1] in home

    # The other pages and the operator's own files are all still there.
    for url in urls[1:]:
        assert (public / url.strip("/") / "index.html").is_file()
    for path, text in own.items():
        assert (public / path).read_text(encoding="utf-8") == text

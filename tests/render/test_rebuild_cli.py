"""`newsroom rebuild`: the whole site from the store, from the command line."""

import asyncio

from typer.testing import CliRunner

from newsroom.cli import app
from shared.settings import get_settings
from tests.render.test_incremental import new_article
from tests.support.site import open_store


async def fill(redis_url: str) -> list[str]:
    store = open_store(redis_url)
    for n in range(3):
        await store.save(f"cli-{n}", new_article(n, hours_ago=n))
    urls = [(await store.get(f"cli-{n}")).url for n in range(3)]
    await store.redis.aclose()
    return urls


def test_rebuild_command_renders_every_page_from_the_store(redis_url, tmp_path, monkeypatch):
    # Three articles are in the store, and nothing has been rendered yet.
    urls = asyncio.run(fill(redis_url))
    public = tmp_path / "public"
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("NEWSROOM_PUBLIC_DIR", str(public))
    get_settings.cache_clear()

    # The operator runs the rebuild.
    result = CliRunner().invoke(app, ["rebuild", "--jobs", "1"])
    get_settings.cache_clear()

    # Every article page, the lists, archives, sitemaps and fixed pages are on disk.
    assert result.exit_code == 0, result.output
    assert "files written" in result.output
    for url in urls:
        assert (public / url.strip("/") / "index.html").is_file()
    for path in ("index.html", "section/proisshestviya/index.html", "sitemap.xml", "404.html"):
        assert (public / path).is_file(), path

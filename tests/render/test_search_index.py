"""The search index build: Pagefind over the article pages, swapped in whole."""

import asyncio
import json
import os
from pathlib import Path

from services.render.search_index import (
    BUILDS,
    BUNDLE,
    SHARDS,
    article_glob,
    build_index,
    stale_shards,
)
from services.render.search_indexer import SearchIndexer
from shared.settings import Settings
from shared.urls import UrlScheme
from tests.support.platform import wait_for
from tests.support.search_files import index_texts, indexed_urls

URLS = UrlScheme(timezone="Asia/Almaty")


def page(root: Path, url: str, text: str, body: bool = True) -> None:
    """A page of the theme's shape: the article's text inside `data-pagefind-body`."""
    folder = root / url.strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    marked = " data-pagefind-body" if body else ""
    (folder / "index.html").write_text(
        f'<!doctype html><html lang="ru"><title>{text}</title><body><nav>Меню сайта</nav>'
        f"<article{marked}><h1>{text}</h1><p>{text}.</p></article></body></html>"
    )


def test_the_glob_matches_one_months_article_pages_only():
    assert article_glob(URLS, "2026-11") == "2026/11/[0-9]*/*/index.html"


def shard_builds(root: Path, shard: str) -> list[str]:
    return sorted(p.name for p in (root / BUILDS / shard).iterdir() if p.name.startswith("b"))


def test_only_article_pages_are_indexed_a_month_each_and_swapped_in_whole(tmp_path):
    page(tmp_path, "/2026/11/25/reforma/", "Реформа образования")
    page(tmp_path, "/2026/11/26/karaganda/", "Новости Қарағанды")
    page(tmp_path, "/2026/10/01/older/", "Октябрьская реформа")
    page(tmp_path, "/section/obshchestvo/", "Раздел со словом реформа")  # a list page
    page(tmp_path, "/2026/11/25/page/2/", "Архив дня реформа")  # an archive page

    first = build_index(tmp_path, URLS, "ru")

    assert (first.shards, first.pages) == (2, 3)
    assert indexed_urls(tmp_path) == {
        "/2026/11/25/reforma/",
        "/2026/11/26/karaganda/",
        "/2026/10/01/older/",
    }
    texts = index_texts(tmp_path)
    assert json.loads(texts["/pagefind/shards.json"]) == {"shards": ["2026-11", "2026-10"]}
    assert "/pagefind/2026-11/pagefind.js" in texts and "/pagefind/2026-10/pagefind.js" in texts
    assert not any("Меню сайта" in text for text in texts.values())  # outside the body
    link = tmp_path / BUNDLE / "2026-11"
    assert link.is_symlink() and not link.readlink().is_absolute()  # moves with the folder

    # An article leaves: the next builds of its month swap in an index without it; the build
    # before stays (a reader may be loading it), older ones go; other months are not touched.
    october = (tmp_path / BUNDLE / "2026-10").readlink()
    (tmp_path / "2026/11/25/reforma/index.html").unlink()
    builds = [build_index(tmp_path, URLS, "ru", {"2026-11"}) for _ in range(3)]
    assert [(b.shards, b.pages) for b in builds] == [(1, 1)] * 3
    assert indexed_urls(tmp_path) == {"/2026/11/26/karaganda/", "/2026/10/01/older/"}
    kept = shard_builds(tmp_path, "2026-11")
    assert len(kept) == 2 and link.readlink().name == kept[-1]
    assert (tmp_path / BUNDLE / "2026-10").readlink() == october


def test_a_month_without_articles_leaves_the_index(tmp_path):
    page(tmp_path, "/2026/11/25/last/", "Последняя статья")
    page(tmp_path, "/2026/10/01/older/", "Октябрьская статья")
    build_index(tmp_path, URLS, "ru")

    (tmp_path / "2026/11/25/last/index.html").unlink()
    assert build_index(tmp_path, URLS, "ru").pages == 1
    assert not (tmp_path / BUNDLE / "2026-11").exists()
    assert json.loads((tmp_path / BUNDLE / SHARDS).read_text()) == {"shards": ["2026-10"]}
    assert indexed_urls(tmp_path) == {"/2026/10/01/older/"}


def test_stale_months_are_found_after_a_stop(tmp_path):
    page(tmp_path, "/2026/11/25/first/", "Первая статья")
    page(tmp_path, "/2026/10/01/older/", "Октябрьская статья")
    build_index(tmp_path, URLS, "ru")
    assert stale_shards(tmp_path, URLS) == set()

    page(tmp_path, "/2026/11/27/second/", "Вторая статья")  # rendered, then render stopped
    later = (tmp_path / BUNDLE / "2026-11").lstat().st_mtime + 1
    os.utime(tmp_path / "2026/11/27/second/index.html", (later, later))
    assert stale_shards(tmp_path, URLS) == {"2026-11"}


async def test_an_urgent_build_does_not_wait_for_the_debounce(tmp_path):
    settings = Settings(public_dir=tmp_path, search_debounce_s=3600)
    page(tmp_path, "/2026/11/25/urgent/", "Срочная новость")
    indexer = SearchIndexer(settings)
    indexer.touch({"2026-11"}, urgent=True)
    task = asyncio.create_task(indexer.run())
    try:
        await asyncio.to_thread(wait_for, lambda: indexed_urls(tmp_path), 30)
        assert indexed_urls(tmp_path) == {"/2026/11/25/urgent/"}
    finally:
        task.cancel()


def test_a_full_rebuild_indexes_every_article_page_and_nothing_else(site):
    # The fixture's second folder was written by `rebuild` (newsroom rebuild, self-healing).
    articles = {
        "/" + p.parent.relative_to(site.rebuilt).as_posix() + "/"
        for p in site.rebuilt.glob("[0-9]*/[0-9]*/[0-9]*/*/index.html")
    }
    assert site.article_url("demo-001") in articles
    assert indexed_urls(site.rebuilt) == articles

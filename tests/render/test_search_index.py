"""The search index build: Pagefind over the article pages, swapped in whole."""

import asyncio
from pathlib import Path

from services.render.search_index import (
    BUILDS,
    BUNDLE,
    SearchIndexer,
    article_glob,
    build_index,
)
from shared.settings import Settings
from shared.urls import UrlScheme
from tests.support.platform import wait_for
from tests.support.search_files import index_texts, indexed_urls

URLS = UrlScheme()


def page(root: Path, url: str, text: str, body: bool = True) -> None:
    """A page of the theme's shape: the article's text inside `data-pagefind-body`."""
    folder = root / url.strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    marked = " data-pagefind-body" if body else ""
    (folder / "index.html").write_text(
        f'<!doctype html><html lang="ru"><title>{text}</title><body><nav>Меню сайта</nav>'
        f"<article{marked}><h1>{text}</h1><p>{text}.</p></article></body></html>"
    )


def test_the_glob_matches_article_pages_only():
    assert article_glob(URLS) == "[0-9]*/[0-9]*/[0-9]*/*/index.html"


def test_only_article_pages_are_indexed_and_each_build_is_swapped_in_whole(tmp_path):
    page(tmp_path, "/2026/11/25/reforma/", "Реформа образования")
    page(tmp_path, "/2026/11/25/karaganda/", "Новости Қарағанды")
    page(tmp_path, "/section/obshchestvo/", "Раздел со словом реформа")  # a list page
    page(tmp_path, "/2026/11/25/page/2/", "Архив дня реформа")  # an archive page

    first = build_index(tmp_path, URLS, "ru")

    assert first.pages == 2
    assert indexed_urls(tmp_path) == {"/2026/11/25/reforma/", "/2026/11/25/karaganda/"}
    texts = index_texts(tmp_path)
    assert "/pagefind/pagefind.js" in texts and "/pagefind/pagefind-entry.json" in texts
    assert not any("Меню сайта" in text for text in texts.values())  # outside the body
    link = tmp_path / BUNDLE
    assert link.is_symlink() and not link.readlink().is_absolute()  # moves with the folder

    # An article leaves: the next build swaps in an index without it; the build before stays
    # (a reader may be loading it), older ones go.
    (tmp_path / "2026/11/25/reforma/index.html").unlink()
    builds = [build_index(tmp_path, URLS, "ru") for _ in range(3)]
    assert [b.pages for b in builds] == [1, 1, 1]
    assert indexed_urls(tmp_path) == {"/2026/11/25/karaganda/"}
    kept = sorted(p.name for p in (tmp_path / BUILDS).iterdir() if p.name.startswith("build-"))
    assert len(kept) == 2 and str(link.readlink()) == f"{BUILDS}/{kept[-1]}"


def test_a_site_without_articles_has_no_index(tmp_path):
    page(tmp_path, "/2026/11/25/last/", "Последняя статья")
    build_index(tmp_path, URLS, "ru")
    assert (tmp_path / BUNDLE).is_dir()

    (tmp_path / "2026/11/25/last/index.html").unlink()
    assert build_index(tmp_path, URLS, "ru").pages == 0
    assert not (tmp_path / BUNDLE).exists() and index_texts(tmp_path) == {}


async def test_an_urgent_build_does_not_wait_for_the_debounce(tmp_path):
    settings = Settings(public_dir=tmp_path, search_debounce_s=3600)
    page(tmp_path, "/2026/11/25/urgent/", "Срочная новость")
    indexer = SearchIndexer(settings)
    task = asyncio.create_task(indexer.run())
    try:
        indexer.touch(urgent=True)
        await asyncio.to_thread(wait_for, (tmp_path / BUNDLE).exists, 30)
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

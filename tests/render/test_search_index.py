"""The search index build: Pagefind over the article pages, swapped in whole."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from services.render.search_index import (
    BUNDLE,
    SHARDS,
    article_glob,
    build_index,
    listed_builds,
    stale_shards,
)
from services.render.search_indexer import SearchIndexer
from shared.settings import Settings
from shared.urls import UrlScheme
from tests.support.platform import wait_for
from tests.support.search_files import current_builds, index_texts, indexed_urls

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
    return sorted(p.name for p in (root / BUNDLE / shard).iterdir())


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
    listed = json.loads(texts["/pagefind/shards.json"])["shards"]
    assert [s["month"] for s in listed] == ["2026-11", "2026-10"]
    assert all(s["path"].startswith(f"/pagefind/{s['month']}/build-") for s in listed)
    assert all(f"{s['path']}pagefind.js" in texts for s in listed)
    assert not any("Меню сайта" in text for text in texts.values())  # outside the body

    # An article leaves: the next builds of its month swap in an index without it; the build
    # before stays (a reader may be loading it), older ones go; other months are not touched.
    october = listed_builds(tmp_path)["2026-10"]
    (tmp_path / "2026/11/25/reforma/index.html").unlink()
    builds = [build_index(tmp_path, URLS, "ru", {"2026-11"}) for _ in range(3)]
    assert [(b.shards, b.pages) for b in builds] == [(1, 1)] * 3
    assert indexed_urls(tmp_path) == {"/2026/11/26/karaganda/", "/2026/10/01/older/"}
    kept = shard_builds(tmp_path, "2026-11")
    assert len(kept) == 2 and listed_builds(tmp_path)["2026-11"] == kept[-1]
    assert listed_builds(tmp_path)["2026-10"] == october
    assert shard_builds(tmp_path, "2026-10") == [october]


def test_a_reader_of_the_list_keeps_one_build_while_another_is_swapped_in(tmp_path):
    # The race of a reader who loaded shards.json, then asks for the files of the build it
    # named while the month is built again: every file stays where the list said it was.
    page(tmp_path, "/2026/11/25/first/", "Первая статья")
    page(tmp_path, "/2026/11/26/second/", "Вторая статья")
    build_index(tmp_path, URLS, "ru")
    [path] = current_builds(tmp_path)
    loaded = index_texts(tmp_path, path)
    assert f"{path}pagefind.js" in loaded and any(".pf_meta" in f for f in loaded)

    (tmp_path / "2026/11/25/first/index.html").unlink()  # unpublished: an urgent rebuild
    build_index(tmp_path, URLS, "ru", {"2026-11"})

    [newer] = current_builds(tmp_path)
    assert newer != path and indexed_urls(tmp_path) == {"/2026/11/26/second/"}
    assert index_texts(tmp_path, path) == loaded  # the old build, whole and unchanged
    assert not set(loaded) & set(index_texts(tmp_path, newer))  # no file shared by path


def test_a_failed_build_is_never_listed(tmp_path):
    page(tmp_path, "/2026/11/25/first/", "Первая статья")
    build_index(tmp_path, URLS, "ru")
    before = listed_builds(tmp_path)
    page(tmp_path, "/2026/12/01/later/", "Декабрьская статья")
    (tmp_path / BUNDLE / "2026-12").write_text("in the way")  # Pagefind cannot write there

    with pytest.raises(RuntimeError, match="pagefind failed on 2026-12"):
        build_index(tmp_path, URLS, "ru", {"2026-11", "2026-12"})

    # The month built before the failure is swapped in; the failed one is not listed.
    after = listed_builds(tmp_path)
    assert set(after) == {"2026-11"} and after["2026-11"] != before["2026-11"]
    assert indexed_urls(tmp_path) == {"/2026/11/25/first/"}


def test_a_month_without_articles_leaves_the_index(tmp_path):
    page(tmp_path, "/2026/11/25/last/", "Последняя статья")
    page(tmp_path, "/2026/10/01/older/", "Октябрьская статья")
    build_index(tmp_path, URLS, "ru")

    (tmp_path / "2026/11/25/last/index.html").unlink()
    assert build_index(tmp_path, URLS, "ru").pages == 1
    assert [s["month"] for s in json.loads((tmp_path / BUNDLE / SHARDS).read_text())["shards"]] == [
        "2026-10"
    ]
    assert indexed_urls(tmp_path) == {"/2026/10/01/older/"}
    assert len(shard_builds(tmp_path, "2026-11")) == 1  # kept for a reader, until the next build
    build_index(tmp_path, URLS, "ru", {"2026-10"})
    assert not (tmp_path / BUNDLE / "2026-11").exists()


def test_stale_months_are_found_after_a_stop(tmp_path):
    page(tmp_path, "/2026/11/25/first/", "Первая статья")
    page(tmp_path, "/2026/10/01/older/", "Октябрьская статья")
    build_index(tmp_path, URLS, "ru")
    assert stale_shards(tmp_path, URLS) == set()

    page(tmp_path, "/2026/11/27/second/", "Вторая статья")  # rendered, then render stopped
    later = (tmp_path / BUNDLE / "2026-11" / listed_builds(tmp_path)["2026-11"]).stat().st_mtime
    os.utime(tmp_path / "2026/11/27/second/index.html", (later + 1, later + 1))
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


def test_an_index_build_dies_with_the_replica_that_started_it(tmp_path: Path):
    # A replica starts a program the way the indexer starts Pagefind, and is SIGKILLed while
    # it runs: the program ends with it instead of writing on into the folder.
    replica_code = tmp_path / "replica.py"
    replica_code.write_text(
        "import subprocess\n"
        "from services.render.search_index import WITH_PARENT\n"
        "subprocess.run([*WITH_PARENT, 'sleep', '600'])\n"
    )
    replica = subprocess.Popen(
        [sys.executable, str(replica_code)], cwd=Path(__file__).resolve().parents[2]
    )
    try:
        (program,) = wait_for(lambda: psutil.Process(replica.pid).children(), timeout=30)
        wait_for(lambda: program.name() == "sleep", timeout=30)
        replica.kill()
        replica.wait(30)
        _, alive = psutil.wait_procs([program], timeout=10)
        assert alive == []
    finally:
        replica.kill()

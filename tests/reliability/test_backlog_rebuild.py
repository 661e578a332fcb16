"""A backlog as large as a good part of the site (an archive imported while render and feeds
were away) is worked by each of them as one full rebuild, every page and feed written once;
the batches it covered are acknowledged without work but for what a rebuild does not do (an
unpublished article's view total parked), and the folder holds what `newsroom rebuild`
writes."""

import json
import signal
from pathlib import Path

import pytest
import redis

from shared.keyspace import Layout, parked_views_key, views_all_key
from shared.site_manifest import entry_key, read_manifest
from shared.topology import ARTICLES_STREAM
from tests.support.archive import write_archive
from tests.support.platform import Platform, newsroom, wait_for
from tests.support.public_files import differences, files_of
from tests.support.redis_server import redis_executor, url_of
from tests.support.timing import scaled

pytestmark = pytest.mark.slow

ARTICLES = 150
ARTICLE = {
    "title": "Первая статья сайта",
    "author": "Дежурный редактор",
    "section": "Общество",
    "published_at": "2026-11-25T10:00:00+05:00",
    "body_html": "<p>Текст</p>",
}


def settled(client: redis.Redis) -> bool:
    """Whether render and feeds both read and acknowledged every article event."""
    groups = client.xinfo_groups(ARTICLES_STREAM)
    return len(groups) == 2 and all(g["lag"] == 0 and g["pending"] == 0 for g in groups)


def test_an_archive_imported_while_the_consumers_were_away_is_worked_as_one_rebuild(
    tmp_path: Path,
):
    with redis_executor(tmp_path / "redis") as server:
        platform = Platform(url_of(server), tmp_path, env={"NEWSROOM_BACKLOG_REBUILD": "50"})
        client = redis.Redis.from_url(url_of(server))
        try:
            platform.start_all()
            first = platform.api().put("/api/articles/first", json=ARTICLE).json()
            wait_for(lambda: platform.get(first["url"]).status_code == 200, timeout=scaled(30))
            assert platform.post_views([{"article_id": "first"}]).status_code == 202
            total = views_all_key(Layout().partition_of("first"))
            wait_for(lambda: client.zscore(total, "first") == 1, timeout=scaled(30))

            # Render and feeds are away while the first article is unpublished and an
            # archive is imported.
            for key in ("render-0", "feeds-0"):
                platform.kill(key, signal.SIGTERM)
                (platform.logs / f"{key}.log").unlink()
            assert platform.api().delete("/api/articles/first").status_code == 200
            archive = write_archive(tmp_path / "archive.jsonl", valid=ARTICLES, bad=0)
            result = newsroom(platform, "import", str(archive.path))
            assert result.returncode == 0, result.stdout + result.stderr
            last_entry = client.xinfo_stream(ARTICLES_STREAM)["last-generated-id"].decode()

            # Back, each works the backlog as one rebuild and no batch of it on its own.
            for name in ("render", "feeds"):
                platform.start(name)
            wait_for(lambda: settled(client), timeout=scaled(180), interval=0.5)
            for service in ("render", "feeds"):
                log = (platform.logs / f"{service}-0.log").read_text()
                assert f"a backlog of {ARTICLES + 1} article events" in log
                assert log.count(f"{service} rebuilt in") == 1
                manifest = read_manifest(platform.public, service)
                assert manifest is not None
                assert entry_key(manifest.covered) >= entry_key(last_entry)
            render_log = (platform.logs / "render-0.log").read_text()
            assert '"rendered"' not in render_log
            feeds_log = (platform.logs / "feeds-0.log").read_text()
            assert '"feeds written"' not in feeds_log
            # What a rebuild does not do was still done: the unpublished article's total
            # left the rankings, parked until it comes back.
            assert client.zscore(total, "first") is None
            parked = parked_views_key(Layout().partition_of("first"), "first")
            assert float(client.get(parked) or 0) == 1

            # The folder holds what a full rebuild writes: every article's page, every feed.
            served = files_of(platform.public)
            platform.rebuild()
            assert differences(served, files_of(platform.public)) == []
            for article_id in archive.valid_ids:
                url = json.loads(client.get(Layout().article_key(article_id)))["url"]
                assert platform.get(url).status_code == 200
        finally:
            platform.stop()
            client.close()

"""Operations on a Redis Cluster: `newsroom import` of an archive, `newsroom rebuild` writing
the same pages, a deleted public folder healed by the restarted services, and the articles
stream trimmed of what every group acknowledged."""

import json
import shutil
import signal
from pathlib import Path

import pytest
import redis

from shared.files import site_path
from shared.keyspace import Layout
from shared.topology import ARTICLES_STREAM
from tests.support.archive import write_archive
from tests.support.cluster import RedisClusterProcesses
from tests.support.platform import Platform, newsroom, wait_for
from tests.support.public_files import differences, files_of
from tests.support.search_files import indexed_urls

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


def settled(client: redis.RedisCluster) -> bool:
    """Whether render and feeds both read and acknowledged every article event."""
    groups = client.xinfo_groups(ARTICLES_STREAM)
    return len(groups) == 2 and all(g["lag"] == 0 and g["pending"] == 0 for g in groups)


def trimmed(client: redis.RedisCluster) -> bool:
    """Whether the articles stream kept nothing older than what every group acknowledged."""
    stream = client.xinfo_stream(ARTICLES_STREAM)
    oldest_needed = min(g["last-delivered-id"] for g in client.xinfo_groups(ARTICLES_STREAM))
    return stream["length"] < stream["entries-added"] and stream["first-entry"][0] == (
        oldest_needed
    )


def test_import_rebuild_healing_and_retention(redis_cluster: RedisClusterProcesses, tmp_path):
    env = {"NEWSROOM_REDIS_CLUSTER": "true", "NEWSROOM_TRIM_INTERVAL_S": "1"}
    platform = Platform(redis_cluster.url, tmp_path, env=env)
    client = redis.RedisCluster.from_url(redis_cluster.url)
    try:
        platform.start_all()

        # An archive is imported: every article has its page once both services caught up.
        archive = write_archive(Path(tmp_path) / "archive.jsonl", valid=60, bad=0)
        result = newsroom(platform, "import", str(archive.path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "imported 60 of 60 lines: 60 created" in result.stdout
        urls = [json.loads(client.get(Layout().article_key(i)))["url"] for i in archive.valid_ids]
        wait_for(lambda: settled(client), timeout=120, interval=0.5)
        missing = [u for u in urls if not site_path(platform.public, u).is_file()]
        assert missing == []
        wait_for(lambda: set(urls) <= indexed_urls(platform.public), timeout=60, interval=0.5)
        assert platform.get(urls[0]).status_code == 200

        # `newsroom rebuild` writes the same files.
        served = files_of(platform.public)
        platform.rebuild()
        assert differences(served, files_of(platform.public)) == []

        # Retention trims what both groups acknowledged off the articles stream.
        wait_for(lambda: trimmed(client), timeout=30, interval=0.5)

        # The public folder is deleted; render and feeds, restarted, bring it back.
        for key in ("render-0", "feeds-0"):
            platform.kill(key, signal.SIGTERM)
        shutil.rmtree(platform.public)
        for name in ("render", "feeds"):
            platform.start(name)
        wait_for(
            lambda: not differences(served, files_of(platform.public)), timeout=180, interval=0.5
        )
        assert platform.get(urls[-1]).status_code == 200
    finally:
        platform.stop()
        client.close()

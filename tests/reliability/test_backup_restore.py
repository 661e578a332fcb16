"""The README's Redis backup and restore, run with the redis-server binary the suite starts:
a snapshot of the live Redis and a copy of the media folder, restored into a fresh Redis and
folder, and the platform on them with a new public folder heals to the same files (uploaded
images included), with no command typed."""

import shutil
import subprocess
from pathlib import Path

import pytest
import redis

from newsroom.ports import free_port
from tests.support.images import picture
from tests.support.platform import Platform, wait_for
from tests.support.public_files import differences, files_of
from tests.support.redis_server import redis_executor, url_of

pytestmark = pytest.mark.slow

ARTICLES = {
    f"backup-{n}": {
        "title": f"Статья номер {n}",
        "author": ["Айгерим Сапарова", "Дина Ахметова"][n % 2],
        "section": ["Общество", "Экономика", "Культура"][n % 3],
        "tags": [["полиция"], ["налоги", "бюджет"], []][n % 3],
        "summary": f"Лид {n}",
        "published_at": f"2026-11-{10 + n}T10:00:00+05:00",
        "body_html": f"<p>Текст {n}</p>",
    }
    for n in range(8)
}


def publish(platform: Platform) -> None:
    """Publish the articles, change one, unpublish another; wait until the site shows it."""
    api = platform.api()
    photo = api.post(
        "/api/media", content=picture(1000, 600, "PNG"), headers={"Content-Type": "image/png"}
    )
    assert photo.status_code == 201
    for article_id, body in ARTICLES.items():
        lead = {"lead_image": {"media_id": photo.json()["id"]}} if article_id == "backup-0" else {}
        assert api.put(f"/api/articles/{article_id}", json=body | lead).status_code == 201
    changed = api.put("/api/articles/backup-1", json=ARTICLES["backup-1"] | {"title": "Новое"})
    assert changed.status_code == 200
    gone = api.delete("/api/articles/backup-2").json()
    live = [api.get(f"/api/articles/{i}").json() for i in ARTICLES if i != "backup-2"]
    wait_for(lambda: platform.get(gone["url"]).status_code == 410, timeout=30)
    for article in live:
        wait_for(lambda a=article: a["guid"] in platform.get("/feeds/rss.xml").text, timeout=30)
        wait_for(lambda a=article: platform.get(a["url"]).status_code == 200, timeout=30)
    wait_for(lambda: "Новое" in platform.get("/").text, timeout=30)


def restore(snapshot: Path, data_dir: Path) -> None:
    """The README's restore: the snapshot loaded without AOF, then AOF turned on (written
    from the loaded data) and the server shut down, leaving a data folder to start from."""
    data_dir.mkdir()
    shutil.copy(snapshot, data_dir / "dump.rdb")
    port = free_port()
    server = shutil.which("redis-server") or "redis-server"
    options = ["--port", str(port), "--bind", "127.0.0.1", "--appendonly", "no"]
    loader = subprocess.Popen([server, "--dir", str(data_dir), *options], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port)
    try:
        wait_for(client.ping, timeout=30)
        client.config_set("appendonly", "yes")
        wait_for(
            lambda: (
                (info := client.info("persistence"))["aof_enabled"] == 1
                and info["aof_rewrite_in_progress"] == 0
                and info["aof_rewrite_scheduled"] == 0
            ),
            timeout=30,
        )
        client.shutdown()
    finally:
        loader.wait(30)
    assert list((data_dir / "appendonlydir").glob("*.aof"))


def test_a_restored_redis_backup_heals_the_site_to_the_same_files(tmp_path: Path):
    with redis_executor(tmp_path / "live-redis", appendonly=True) as live:
        platform = Platform(url_of(live), tmp_path / "live")
        platform.start_all()
        try:
            publish(platform)
            # Backup: a consistent snapshot from the running server.
            snapshot = tmp_path / "backup.rdb"
            subprocess.run(
                ["redis-cli", "-u", url_of(live), "--rdb", str(snapshot)],
                check=True,
                capture_output=True,
                timeout=60,
            )
            # Then the media folder (files are only ever added).
            shutil.copytree(platform.media, tmp_path / "media-backup")
        finally:
            platform.stop()
        site = files_of(platform.public)

    restore(snapshot, tmp_path / "restored-redis")
    with redis_executor(tmp_path / "restored-redis", appendonly=True) as restored:
        again = Platform(url_of(restored), tmp_path / "new-machine")
        shutil.copytree(tmp_path / "media-backup", again.media)
        again.start_all()
        try:
            wait_for(lambda: not differences(site, files_of(again.public)), timeout=120)
        finally:
            again.stop()
    assert "index.html" in site and "feeds/rss.xml" in site
    assert any(name.startswith("media/") and name.endswith("/960.webp") for name in site)

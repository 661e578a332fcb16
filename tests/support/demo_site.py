"""The demo site on the real platform, as the end-to-end tests of readers' views start it."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsroom.demo import load_demo
from tests.support.platform import Platform
from tests.support.redis_server import redis_executor, url_of


@contextmanager
def demo_site(workdir: Path) -> Iterator[Platform]:
    """The platform on a redis-server of its own with the demo articles loaded, refreshing
    the most-read lists every second."""
    with redis_executor(workdir / "redis") as executor:
        platform = Platform(url_of(executor), workdir)
        platform.env["NEWSROOM_POPULAR_INTERVAL"] = "1"
        try:
            platform.start_all()
            load_demo(platform.site_url, platform.token, platform.public)
            yield platform
        finally:
            platform.stop()

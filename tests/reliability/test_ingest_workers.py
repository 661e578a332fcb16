"""Ingest in several worker processes: the workers never outlive the process that started them."""

import httpx
import psutil
import pytest

from tests.support.platform import Platform, wait_for
from tests.support.timing import scaled

pytestmark = pytest.mark.slow


def test_workers_stop_when_their_supervisor_is_killed(redis_url: str, tmp_path):
    platform = Platform(redis_url, tmp_path, env={"NEWSROOM_INGEST_WORKERS": "2"})
    supervisor = platform.start("ingest")
    health = f"http://127.0.0.1:{platform.ingest_port}/api/health"
    try:
        # Ingest answers, from two worker processes under its supervisor.
        wait_for(lambda: httpx.get(health).status_code == 200, scaled(30))
        workers = wait_for(
            lambda: (
                (found := psutil.Process(supervisor.pid).children()) and len(found) >= 2 and found
            ),
            scaled(10),
        )

        # The supervisor is SIGKILLed: it cannot stop them itself, yet every worker goes.
        supervisor.kill()
        _, still_running = psutil.wait_procs(workers, timeout=scaled(20))
        assert still_running == []
        with pytest.raises(httpx.ConnectError):
            httpx.get(health)
    finally:
        platform.stop()

"""`newsroom run` on a Redis Cluster it is given: it starts no Redis, every service and the
commands of a second terminal use the cluster; without REDIS_URL it refuses to start."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from newsroom.ports import free_port
from tests.support.cluster import RedisClusterProcesses
from tests.support.platform import ROOT, wait_for
from tests.support.timing import scaled

CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "NEWSROOM_"))}
NEWSROOM = [sys.executable, "-m", "newsroom.cli"]
ON_A_CLUSTER = {"NEWSROOM_REDIS_CLUSTER": "true", "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
@pytest.mark.cluster
def test_the_runner_points_every_service_at_the_cluster(
    redis_cluster: RedisClusterProcesses, tmp_path: Path
):
    state = tmp_path / ".newsroom"
    ports = ["--port", str(free_port()), "--ingest-port", str(ingest_port := free_port())]
    env = {**CLEAN_ENV, **ON_A_CLUSTER, "REDIS_URL": redis_cluster.url}
    with (tmp_path / "run.log").open("wb") as log:
        runner = subprocess.Popen(
            [*NEWSROOM, "run", "--no-demo", "--state", str(state), *ports],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: "API token: " in (tmp_path / "run.log").read_text(), timeout=90)
        started = [p.name() for p in psutil.Process(runner.pid).children(recursive=True)]
        assert "redis-server" not in started
        assert httpx.get(f"http://127.0.0.1:{ingest_port}/api/ready").status_code == 200

        # A second terminal, without REDIS_URL, reads the runner's cluster: every replica's
        # state (scanned on every master) and every stream.
        second = subprocess.run(
            [*NEWSROOM, "stats", "--json"],
            cwd=tmp_path,
            env={**CLEAN_ENV, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=scaled(60),
            check=True,
        )
        stats = json.loads(second.stdout)
        assert sorted(s["service"] for s in stats["site"]) == ["feeds", "render"]
        assert stats["dead_letters"] == 0
        assert f"Redis: {redis_cluster.url}" in second.stderr
    finally:
        os.killpg(runner.pid, signal.SIGINT)
        runner.wait(scaled(60))
    assert runner.returncode == 0


def test_the_runner_starts_no_cluster_of_its_own(tmp_path: Path):
    ran = subprocess.run(
        [*NEWSROOM, "run", "--state", str(tmp_path / ".newsroom")],
        cwd=ROOT,
        env={**CLEAN_ENV, **ON_A_CLUSTER},
        capture_output=True,
        text=True,
        timeout=scaled(60),
        check=False,
    )
    assert ran.returncode == 1
    assert "NEWSROOM_REDIS_CLUSTER=true needs REDIS_URL" in ran.stdout

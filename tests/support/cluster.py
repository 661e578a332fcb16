"""A Redis Cluster of private redis-server processes: 3 masters and 3 replicas on loopback.

`RedisClusterProcesses(workdir)` starts six nodes (cluster-enabled, appendonly, a 2 s node
timeout, each in its own folder), creates the cluster with `redis-cli --cluster create`,
and waits until every node says `cluster_state:ok`. For failover tests it can SIGKILL a node,
tell which master holds the most keys, wait for a replica's promotion, and restart a killed
node until it rejoins as a replica.
"""

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import redis

from newsroom.ports import free_port
from tests.support.timing import scaled

HOST = "127.0.0.1"
NODE_TIMEOUT_MS = 2000
CREATE_OPTIONS = ("--cluster-replicas", "1", "--cluster-yes")


def _until(check: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll `check` until it holds; TimeoutError naming `what` after `seconds` (scaled)."""
    deadline = time.monotonic() + scaled(seconds)
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"cluster: {what}")
        time.sleep(0.05)


def _info(port: int, section: str) -> dict[str, str]:
    """INFO `section` of a node, or {} when it does not answer."""
    client = redis.Redis(HOST, port, socket_timeout=1, socket_connect_timeout=1)
    try:
        if section == "cluster":
            found = client.execute_command("CLUSTER INFO")
        else:
            found = client.info(section)
        return {k: str(v) for k, v in found.items()}
    except redis.RedisError:
        return {}
    finally:
        client.close()


class RedisClusterProcesses:
    """Six redis-server processes forming a cluster with one replica per master."""

    def __init__(self, workdir: Path, nodes: int = 6) -> None:
        self.workdir = workdir
        self.ports = [free_port() for _ in range(nodes)]
        self.processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        """REDIS_URL of the cluster: its first node that answers."""
        alive = [p for p in self.ports if p in self.processes]
        return f"redis://{HOST}:{alive[0]}/0"

    def start(self) -> None:
        """Start every node, create the cluster and wait until it is ok everywhere."""
        for port in self.ports:
            self._launch(port)
        redis_cli = shutil.which("redis-cli") or "redis-cli"
        addresses = [f"{HOST}:{port}" for port in self.ports]
        subprocess.run(
            [redis_cli, "--cluster", "create", *addresses, *CREATE_OPTIONS],
            check=True,
            capture_output=True,
            timeout=scaled(60),
        )
        self.wait_ok()

    def _launch(self, port: int) -> None:
        folder = self.workdir / str(port)
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "redis.conf"
        if not config.exists():
            config.write_text(
                f"port {port}\nbind {HOST}\ncluster-port {free_port()}\n"
                f"cluster-enabled yes\ncluster-config-file nodes.conf\n"
                f"cluster-node-timeout {NODE_TIMEOUT_MS}\nappendonly yes\nsave ''\n"
                "repl-diskless-sync-delay 0\n"
                f"dir {folder}\nlogfile {folder / 'redis.log'}\n"
            )
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed; scripts/test installs it")
        self.processes[port] = subprocess.Popen([executable, str(config)])
        _until(lambda: bool(_info(port, "server")), 30, f"node {port} answers")

    def wait_ok(self) -> None:
        """Wait until every running node says cluster_state:ok, and every replica is in sync
        with its master (a replica that never synced cannot be promoted)."""
        for port in self.processes:
            _until(
                lambda p=port: _info(p, "cluster").get("cluster_state") == "ok",
                60,
                f"node {port} cluster_state:ok",
            )
            _until(lambda p=port: self._synced(p), 60, f"node {port} in sync")

    @staticmethod
    def _synced(port: int) -> bool:
        info = _info(port, "replication")
        return info.get("role") == "master" or info.get("master_link_status") == "up"

    def role(self, port: int) -> str:
        """`master` or `slave` ("" when the node does not answer)."""
        return _info(port, "replication").get("role", "")

    def masters(self) -> list[int]:
        """Ports of the running masters."""
        return [port for port in self.processes if self.role(port) == "master"]

    def replicas_of(self, master: int) -> list[int]:
        """Ports of the running nodes replicating `master`."""
        return [
            port
            for port in self.processes
            if _info(port, "replication").get("master_port") == str(master)
        ]

    def dbsize(self, port: int) -> int:
        """Keys a node holds."""
        with redis.Redis(HOST, port) as client:
            return int(client.dbsize())

    def biggest_master(self) -> int:
        """Port of the master holding the most keys."""
        return max(self.masters(), key=self.dbsize)

    def kill(self, port: int) -> None:
        """SIGKILL a node (its files stay, for `restart`)."""
        process = self.processes.pop(port)
        process.kill()
        process.wait()

    def wait_promotion(self, replicas: list[int]) -> int:
        """Wait until one of `replicas` (of a killed master) is a master and the cluster is ok
        again on every running node; the promoted node's port."""
        promoted: list[int] = []

        def one_promoted() -> bool:
            promoted[:] = [port for port in replicas if self.role(port) == "master"]
            return bool(promoted)

        _until(one_promoted, 60, f"a promotion among {replicas}")
        self.wait_ok()
        return promoted[0]

    def restart(self, port: int) -> None:
        """Start a killed node again with its files, and wait until it is a replica whose link
        to its master is up."""
        self._launch(port)

        def rejoined() -> bool:
            info = _info(port, "replication")
            return info.get("role") == "slave" and info.get("master_link_status") == "up"

        _until(rejoined, 60, f"node {port} rejoins as a replica")
        self.wait_ok()

    def stop(self) -> None:
        """SIGKILL every node still running."""
        for port in list(self.processes):
            self.kill(port)

    def __enter__(self) -> "RedisClusterProcesses":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

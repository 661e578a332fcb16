"""docker-compose.cluster.yml's own commands, without Docker: the six nodes' `redis-server`
commands (their config file from the repository, loopback ports and a temporary folder instead
of the container's) and the one-shot's create script on their addresses. The cluster comes up
whole, a second run creates nothing, and nodes restarted on new addresses (as containers may be
by `docker compose down` and `up`) are found again.
"""

import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from newsroom.ports import free_port
from tests.ops.test_compose_cluster import (
    CREATE,
    NODES,
    SERVICES,
    mounts,
    node_config,
    repository_file,
)
from tests.support.platform import wait_for
from tests.support.timing import scaled

BUS_OFFSET = 10_000  # the cluster bus listens on the client port + 10000 (Redis's default)


def node_port() -> int:
    """A free port whose cluster bus port is free too."""
    while True:
        port = free_port()
        if port + BUS_OFFSET > 65_535:
            continue
        with socket.socket() as bus:
            try:
                bus.bind(("127.0.0.1", port + BUS_OFFSET))
            except OSError:
                continue
        return port


@dataclass
class Node:
    """One node of the file run as a local process."""

    name: str
    folder: Path
    port: int = 0
    process: subprocess.Popen | None = None

    def start(self) -> None:
        """The service's command on a new port, its config file the repository's with the
        node's folder for the volume (redis-server enters `dir` as it reads it)."""
        service = SERVICES[self.name]
        command = list(service["command"])
        self.folder.mkdir(exist_ok=True)
        conf = repository_file(service, command[1]).read_text()
        volume = next(t for t, source in mounts(service).items() if not source.startswith("."))
        assert f"\ndir {volume}\n" in conf
        command[1] = str(self.folder / "cluster.conf")
        Path(command[1]).write_text(conf.replace(f"\ndir {volume}\n", f"\ndir {self.folder}\n"))
        for _ in range(3):  # another process may take the bus port first: then another port
            self.port = node_port()
            local = ["--port", str(self.port), "--bind", "127.0.0.1"]
            with (self.folder / "redis.log").open("ab") as log:
                self.process = subprocess.Popen([*command, *local], stdout=log, stderr=log)
            wait_for(lambda: self.answers() or self.process.poll() is not None, timeout=10)
            if self.process.poll() is None:
                return
        raise AssertionError(f"{self.name} does not start: see {self.folder / 'redis.log'}")

    def stop(self) -> None:
        """SIGTERM, as `docker compose stop` sends; redis-server saves and exits."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=scaled(30))

    def client(self) -> redis.Redis:
        """A plain (not cluster) client of this node."""
        return redis.Redis(port=self.port, decode_responses=True, socket_timeout=scaled(5))

    def answers(self) -> bool:
        """Whether the node answers PING."""
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.ConnectionError:
            return False

    def cluster_nodes(self) -> list[list[str]]:
        """CLUSTER NODES, as words per line."""
        with self.client() as client:
            return [
                line.split()
                for line in client.execute_command("CLUSTER", "NODES").split("\n")
                if line
            ]


def create(nodes: list[Node]) -> subprocess.CompletedProcess[str]:
    """The one-shot's command, its script from the repository, each address the local one."""
    service = SERVICES[CREATE]
    shell, script, *addresses = service["command"]
    local = {f"{n.name}:{node_config(n.name)['port']}": f"127.0.0.1:{n.port}" for n in nodes}
    command = [shell, str(repository_file(service, script)), *(local[a] for a in addresses)]
    return subprocess.run(command, capture_output=True, text=True, timeout=scaled(120))


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[list[Node]]:
    started = [Node(name, tmp_path / name) for name in NODES]
    try:
        for node in started:
            node.start()
        yield started
    finally:
        for node in started:
            node.stop()


def layout(nodes: list[Node]) -> dict[str, tuple[str, str]]:
    """Service name → (role, the service name of its master or its slot ranges), from every
    node's announced hostname."""
    lines = nodes[0].cluster_nodes()
    hostname = {words[0]: words[1].split(",")[1] for words in lines}
    return {
        hostname[words[0]]: (
            ("master", " ".join(words[8:]))
            if "master" in words[2]
            else ("replica", hostname[words[3]])
        )
        for words in lines
    }


def whole(nodes: list[Node]) -> bool:
    """Every node sees the six (and no node in handshake) at their current ports, connected
    and none failing, half of them replicas, and says cluster_state:ok."""
    ports = sorted(str(n.port) for n in nodes)
    for node in nodes:
        lines = node.cluster_nodes()
        seen = sorted(words[1].split("@")[0].rsplit(":", 1)[1] for words in lines)
        unsettled = ("fail", "handshake", "noaddr")
        if seen != ports or any(f in w[2] for w in lines for f in unsettled):
            return False
        if any(w[7] != "connected" for w in lines):
            return False
        if sum("slave" in words[2] for words in lines) != len(nodes) // 2:
            return False
        with node.client() as client:
            if client.cluster("INFO")["cluster_state"] != "ok":
                return False
    return True


@pytest.mark.slow
def test_the_files_commands_make_a_cluster_once_and_find_moved_nodes_again(nodes):
    first = create(nodes)
    assert first.returncode == 0, first.stdout + first.stderr
    assert first.stdout.rstrip().endswith("cluster_state:ok")
    wait_for(lambda: whole(nodes), timeout=30)
    # Three masters sharing the slots, each with a replica of its own; every node announces
    # its service name, the address the services are given.
    created = layout(nodes)
    masters = sorted(n for n, (role, _) in created.items() if role == "master")
    assert masters == list(NODES[:3])
    assert sorted(of for role, of in created.values() if role == "replica") == masters
    with nodes[0].client() as client:
        shards = client.execute_command("CLUSTER", "SHARDS")
    endpoints = {(n["hostname"], n["endpoint"]) for shard in shards for n in shard["nodes"]}
    assert endpoints == {(name, name) for name in NODES}

    again = create(nodes)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing to create" in again.stdout
    wait_for(lambda: whole(nodes), timeout=30)
    assert layout(nodes) == created

    # All six restarted on new ports, their nodes.conf naming the old ones: the one-shot, run
    # again as every `up` does, introduces them and the cluster is whole as it was.
    for node in nodes:
        node.stop()
    for node in nodes:
        node.start()
    moved = create(nodes)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    wait_for(lambda: whole(nodes), timeout=60)
    assert layout(nodes) == created

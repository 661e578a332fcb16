"""docker-compose.cluster.yml, checked by construction like docker-compose.yml (no Docker engine
here): the Compose Specification, the six nodes and their config, the one-shot that creates the
cluster, and services equal to docker-compose.yml's but for the Redis they are pointed at.
tests/ops/test_compose_cluster_live.py runs the file's own commands.
"""

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from shared.settings import Settings
from tests.ops.test_compose import (
    APP_SERVICES,
    COMPOSE,
    SCHEMA,
    defaults,
    env_names,
    settings_of,
)

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = yaml.safe_load((ROOT / "docker-compose.cluster.yml").read_text())
SERVICES = CLUSTER["services"]
NODES = tuple(f"redis-{i}" for i in range(1, 7))
CREATE = "redis-cluster"
# Settings only the cluster's services are given, and the one each of them is given.
CLUSTER_ONLY = {
    "NEWSROOM_REDIS_CLUSTER",
    "NEWSROOM_ARTICLE_SHARDS",
    "NEWSROOM_VIEWS_PARTITIONS",
    "NEWSROOM_REDIS_WAIT_REPLICAS",
    "NEWSROOM_REDIS_WAIT_TIMEOUT_MS",
}
WAIT = {"NEWSROOM_REDIS_WAIT_REPLICAS", "NEWSROOM_REDIS_WAIT_TIMEOUT_MS"}


def mounts(service: dict) -> dict[str, str]:
    """Container path → source (a named volume or a repository path) of a service's volumes."""
    parts = (volume.split(":") for volume in service.get("volumes", []))
    return {target: source for source, target, *_ in parts}


def repository_file(service: dict, container_path: str) -> Path:
    """The repository file a service mounts at `container_path`."""
    source = mounts(service)[container_path]
    assert source.startswith("./"), source
    return ROOT / source


def config(path: Path) -> dict[str, str]:
    """A redis.conf's directives, name → value."""
    lines = (line.split(None, 1) for line in path.read_text().splitlines())
    return {words[0]: words[1] for words in lines if words and not words[0].startswith("#")}


def node_config(name: str) -> dict[str, str]:
    """The directives a node runs with: its config file, then its command's arguments."""
    command = SERVICES[name]["command"]
    directives = config(repository_file(SERVICES[name], command[1]))
    names, values = command[2::2], command[3::2]
    return directives | {n.removeprefix("--"): v for n, v in zip(names, values, strict=True)}


def without(service: dict, *keys: str) -> dict:
    """`service` (or any mapping) without `keys`."""
    return {k: v for k, v in service.items() if k not in keys}


def test_the_file_follows_the_compose_specification():
    validator = jsonschema.Draft7Validator(SCHEMA)
    validator.validate(CLUSTER)
    assert CLUSTER["name"] != COMPOSE["name"], "a store of its own, volumes included"


@pytest.mark.parametrize("name", NODES)
def test_each_node_is_a_persistent_cluster_node_announcing_its_name(name):
    node = SERVICES[name]
    assert node["command"][0] == "redis-server"
    assert node["image"] == COMPOSE["services"]["redis"]["image"]
    directives = node_config(name)
    assert directives["cluster-enabled"] == "yes"
    # Clients are sent to the node's service name, which resolves inside the compose network.
    assert directives["cluster-announce-hostname"] == name
    assert directives["cluster-preferred-endpoint-type"] == "hostname"
    # Append-only, and nodes.conf (the node's identity and view of the cluster) on its volume.
    assert directives["appendonly"] == "yes"
    assert not PurePosixPath(directives["cluster-config-file"]).is_absolute()
    assert mounts(node)[directives["dir"]] == f"{name}-data"
    assert node["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert node["restart"] == "unless-stopped"
    # Reachable by the services inside the compose network only.
    assert directives["bind"] == "0.0.0.0" and "ports" not in node


def test_a_one_shot_creates_the_cluster_once_every_node_is_healthy():
    create = SERVICES[CREATE]
    assert create["restart"] == "no"
    assert create["image"] == SERVICES[NODES[0]]["image"], "the same redis-cli as the nodes"
    assert create["depends_on"] == {n: {"condition": "service_healthy"} for n in NODES}
    shell, script, *addresses = create["command"]
    assert shell == "sh"
    port = node_config(NODES[0])["port"]
    assert addresses == [f"{n}:{port}" for n in NODES]
    text = repository_file(create, script).read_text()
    assert 'redis-cli --cluster create "$@" --cluster-replicas 1 --cluster-yes' in text


@pytest.mark.parametrize("name", APP_SERVICES)
def test_services_wait_for_the_cluster_and_are_the_single_redis_files_otherwise(name):
    service, single = SERVICES[name], COMPOSE["services"][name]
    assert service["depends_on"] == {CREATE: {"condition": "service_completed_successfully"}}
    assert without(service, "depends_on", "environment") == without(
        single, "depends_on", "environment"
    )
    environment = service["environment"]
    assert without(environment, "REDIS_URL", *CLUSTER_ONLY) == without(
        single["environment"], "REDIS_URL"
    )
    assert environment["NEWSROOM_REDIS_CLUSTER"] == "true"
    # Ingest answers for writes: only it waits for replicas.
    assert (set(environment) >= WAIT) == (name == "ingest")


def test_nginx_is_the_single_redis_files():
    assert SERVICES["web"] == COMPOSE["services"]["web"]
    assert set(SERVICES) == set(COMPOSE["services"]) - {"redis"} | {*NODES, CREATE}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_is_a_setting_and_names_a_cluster_node(name):
    environment = SERVICES[name]["environment"]
    settings = settings_of(environment)
    assert settings.redis_cluster is True
    url = urlsplit(settings.redis_url)
    assert url.hostname in NODES and str(url.port) == node_config(url.hostname)["port"]
    # The file's defaults are the settings' own: .env changes them, for every service at once.
    for variable in CLUSTER_ONLY & set(environment) - {"NEWSROOM_REDIS_CLUSTER"}:
        field = Settings.model_fields[env_names()[variable]]
        assert int(defaults(environment[variable])) == field.default, variable


def test_every_named_volume_is_declared_and_each_node_has_its_own():
    named = {
        source
        for service in SERVICES.values()
        for source in mounts(service).values()
        if not source.startswith(".")
    }
    assert named == set(CLUSTER["volumes"])
    assert len({mounts(SERVICES[n])["/data"] for n in NODES}) == len(NODES)


def test_the_single_redis_stays_a_single_redis():
    command = COMPOSE["services"]["redis"]["command"]
    assert not any("cluster" in argument for argument in command)
    single_environment = {v for n in APP_SERVICES for v in COMPOSE["services"][n]["environment"]}
    assert not single_environment & CLUSTER_ONLY

"""docker-compose.yml cannot run here (no Docker engine), so it is checked by construction:
against the Compose Specification's JSON schema, and against the code it starts.

tests/ops/compose-spec.json is schema/compose-spec.json of
https://github.com/compose-spec/compose-spec at commit 170098ba07d9f53c383a41bfd4c5166b0a4529a6.
"""

import json
import re
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from shared.settings import Settings
from tests.support.samples import TOKENS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SCHEMA = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("ingest", "render", "feeds")
CONSUMERS = {"render": 9101, "feeds": 9102}
TEMPLATE = ROOT / "deploy" / "nginx" / "newsroom.conf.template"
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def env_names() -> dict[str, str]:
    """Environment variable name → Settings field, as pydantic-settings reads them."""
    names = {}
    prefix = Settings.model_config["env_prefix"]
    for name, field in Settings.model_fields.items():
        aliases = getattr(field.validation_alias, "choices", None)
        for env in aliases or [f"{prefix}{name}".upper()]:
            names[env] = name
    return names


def defaults(value: str) -> str:
    """A compose value with each `${VAR:-default}` replaced by its default."""
    return re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", value)


def test_the_file_follows_the_compose_specification():
    validator = jsonschema.Draft7Validator(SCHEMA)
    validator.validate(COMPOSE)
    # The schema is strict: a misspelt key would not pass.
    misspelt = COMPOSE | {"services": SERVICES | {"ingest": SERVICES["ingest"] | {"restrat": 1}}}
    assert not validator.is_valid(misspelt)


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_service_runs_its_module(name):
    command = SERVICES[name]["command"]
    assert command == ["python", "-m", f"services.{name}"]
    assert find_spec(f"services.{name}.__main__") is not None


def settings_of(environment: dict[str, str]) -> Settings:
    """A service's settings: every variable must be a setting, and with the defaults filled in
    (and a token) the settings code must accept every value."""
    known = env_names()
    assert set(environment) <= set(known), set(environment) - set(known)
    values = {known[k]: defaults(str(v)) for k, v in environment.items()}
    return Settings.model_validate(values | {"api_tokens": TOKENS})


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_variable_is_a_setting_and_parses(name):
    environment = SERVICES[name]["environment"]
    settings = settings_of(environment)
    assert str(settings.public_dir) == environment["NEWSROOM_PUBLIC_DIR"]
    assert urlsplit(settings.redis_url).hostname == "redis"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_services_are_scalable_restart_and_stop_gracefully(name):
    service = SERVICES[name]
    assert "container_name" not in service
    assert "ports" not in service, "a host port would stop `--scale`"
    assert service["restart"] == "unless-stopped"
    assert service["stop_grace_period"] == "30s"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"


def test_ingest_listens_where_its_probe_and_nginx_look():
    ingest = SERVICES["ingest"]
    port = int(ingest["environment"]["NEWSROOM_INGEST_PORT"])
    assert ingest["environment"]["NEWSROOM_INGEST_HOST"] == "0.0.0.0"
    assert ingest["expose"] == [str(port)]
    assert ingest["healthcheck"]["test"][-1] == f"http://127.0.0.1:{port}/api/ready"
    assert SERVICES["web"]["environment"]["INGEST"] == f"ingest:{port}"


@pytest.mark.parametrize(("name", "port"), CONSUMERS.items())
def test_consumers_serve_probes_and_metrics_on_their_port(name, port):
    service = SERVICES[name]
    assert int(service["environment"]["NEWSROOM_METRICS_PORT"]) == port
    # Loopback is the default: inside its container the server listens on every address.
    assert service["environment"]["NEWSROOM_METRICS_HOST"] == "0.0.0.0"
    assert service["expose"] == [str(port)]
    assert service["healthcheck"]["test"][-1] == f"http://127.0.0.1:{port}/ready"
    main = (ROOT / "services" / name / "__main__.py").read_text()
    assert f"default_port={port}" in main


def test_writers_and_nginx_share_the_public_volume():
    public_dir = SERVICES["render"]["environment"]["NEWSROOM_PUBLIC_DIR"]
    assert f"public:{public_dir}" in SERVICES["render"]["volumes"]
    assert f"public:{public_dir}" in SERVICES["feeds"]["volumes"]
    web = SERVICES["web"]
    assert f"public:{public_dir}:ro" in web["volumes"]
    assert web["environment"]["PUBLIC_DIR"] == public_dir
    named = {v.split(":")[0] for s in SERVICES.values() for v in s.get("volumes", [])}
    assert {n for n in named if not n.startswith(".")} == set(COMPOSE["volumes"])


def test_nginx_renders_the_repository_template():
    web = SERVICES["web"]
    mount = "./deploy/nginx/newsroom.conf.template:/etc/nginx/templates/default.conf.template:ro"
    assert mount in web["volumes"]
    # nginx's envsubst fills exactly the variables the service defines.
    assert set(INTERPOLATION.findall(TEMPLATE.read_text())) == set(web["environment"])
    # The public port on every host address; the editorial listener on loopback by default.
    public, editorial = web["ports"]
    assert public == "${WEB_PORT:-8000}:" + web["environment"]["PORT"]
    assert (
        editorial == "${EDITORIAL_LISTEN:-127.0.0.1:8001}:" + web["environment"]["EDITORIAL_PORT"]
    )
    assert defaults(editorial).split(":")[0] == "127.0.0.1"
    # envsubst replaces any variable of the container's environment: nginx's own variables
    # must not share a name with one (the image defines these besides the service's).
    image_env = {
        "HOME",
        "HOSTNAME",
        "PATH",
        "PWD",
        "SHLVL",
        "TERM",
        "NGINX_VERSION",
        "NJS_VERSION",
        "NJS_RELEASE",
        "PKG_RELEASE",
        "DYNPKG_RELEASE",
    }
    nginx_variables = set(re.findall(r"\$(\w+)", TEMPLATE.read_text()))
    assert not nginx_variables & (image_env | set(web["environment"]))


def test_redis_persists_append_only_on_a_named_volume():
    redis = SERVICES["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert f"redis-data:{command[command.index('--dir') + 1]}" in redis["volumes"]
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    # Reachable by the services inside the compose network only.
    assert command[command.index("--bind") + 1] == "0.0.0.0" and "ports" not in redis


def test_env_example_lists_every_variable_the_files_read():
    files = ("docker-compose.yml", "docker-compose.cluster.yml")
    used = {v for f in files for v in INTERPOLATION.findall((ROOT / f).read_text())}
    example = (ROOT / ".env.example").read_text().splitlines()
    listed = {line.split("=")[0] for line in example if line and not line.startswith("#")}
    assert listed == used
    known = env_names()
    assert {v for v in listed if v.startswith("NEWSROOM_")} <= set(known)

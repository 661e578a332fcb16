"""docker-compose.yml cannot run here (no Docker engine), so it is checked by reading it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_each_service_runs_the_documented_command():
    services = COMPOSE["services"]
    for name in ("ingest", "render", "feeds"):
        assert services[name]["command"] == ["python", "-m", f"services.{name}"]


def test_redis_persists_append_only_on_a_named_volume():
    redis = COMPOSE["services"]["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert "redis-data:/data" in redis["volumes"]
    assert "redis-data" in COMPOSE["volumes"]


def test_web_server_serves_the_volume_the_writers_fill():
    services = COMPOSE["services"]
    assert "public:/srv/public" in services["render"]["volumes"]
    assert "public:/srv/public" in services["feeds"]["volumes"]
    assert "public:/srv/public:ro" in services["web"]["volumes"]
    for name in ("ingest", "render", "feeds"):
        env = services[name]["environment"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["NEWSROOM_PUBLIC_DIR"] == "/srv/public"

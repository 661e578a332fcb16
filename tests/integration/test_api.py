"""The ingest API's liveness and readiness, with Redis up and with Redis away."""

from fastapi.testclient import TestClient

from newsroom.ports import free_port
from services.ingest.app import create_app
from shared.settings import Settings


def test_health_and_readiness_with_redis_up(redis_url):
    with TestClient(create_app(Settings(REDIS_URL=redis_url))) as client:
        assert client.get("/api/health").json() == {"status": "ok"}
        assert client.get("/api/ready").json() == {"status": "ready"}


def test_readiness_fails_fast_with_json_when_redis_is_away():
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    with TestClient(create_app(Settings(REDIS_URL=nowhere))) as client:
        assert client.get("/api/health").status_code == 200
        ready = client.get("/api/ready")
    assert ready.status_code == 503
    assert ready.json()["error"].startswith("redis unreachable")

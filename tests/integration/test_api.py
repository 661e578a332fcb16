"""The ingest API in-process against a real Redis: statuses and JSON errors."""

import pytest
from fastapi.testclient import TestClient

from services.ingest.app import create_app
from shared.settings import Settings

TOKEN = "secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = {
    "title": "Чем я могу Вам помочь?",
    "author": "Александра Власова",
    "section": "Общество",
    "tags": ["полиция"],
    "published_at": "2026-11-25T10:00:00+05:00",
    "summary": "Лид",
    "body_html": "<p>Текст<script>alert(1)</script></p>",
}


@pytest.fixture
def client(redis_url, tmp_path):
    settings = Settings(REDIS_URL=redis_url, api_tokens=TOKEN, max_body_bytes=10_000)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_put_creates_then_replaces(client):
    created = client.put("/api/articles/a1", json=BODY, headers=AUTH)
    assert created.status_code == 201
    assert created.json()["url"] == "/2026/11/25/chem-ya-mogu-vam-pomoch/"
    assert created.json()["version"] == 1
    assert created.json()["body_html"] == "<p>Текст</p>"
    assert created.headers["etag"] == '"1"'

    replaced = client.put("/api/articles/a1", json=BODY | {"title": "Новое"}, headers=AUTH)
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    assert client.get("/api/articles/a1").json()["title"] == "Новое"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "x"}])
def test_write_calls_without_a_valid_token_get_401_json(client, headers):
    for response in (
        client.put("/api/articles/a1", json=BODY, headers=headers),
        client.delete("/api/articles/a1", headers=headers),
    ):
        assert response.status_code == 401
        assert response.json()["error"] == "missing or invalid bearer token"


def test_invalid_fields_get_422_naming_each_field(client):
    bad = BODY | {"title": "", "published_at": "вчера", "authors": []}
    bad.pop("author")
    response = client.put("/api/articles/a1", json=bad, headers=AUTH)
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["fields"]}
    assert {"title", "published_at", "authors"} <= fields


def test_malformed_json_gets_400(client):
    response = client.put(
        "/api/articles/a1",
        content=b'{"title": ',
        headers=AUTH | {"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "malformed JSON"


def test_oversized_body_gets_413(client):
    response = client.put("/api/articles/a1", json=BODY | {"body_html": "x" * 20_000}, headers=AUTH)
    assert response.status_code == 413
    assert "error" in response.json()


def test_unknown_article_gets_404(client):
    assert client.get("/api/articles/nope").status_code == 404
    response = client.delete("/api/articles/nope", headers=AUTH)
    assert response.status_code == 404 and response.json()["error"] == "no article nope"


def test_bad_id_gets_422(client):
    response = client.put("/api/articles/bad..id", json=BODY, headers=AUTH)
    assert response.status_code == 422


def test_views_are_accepted_without_a_token(client):
    one = client.post("/api/views", json={"article_id": "a1"})
    batch = client.post("/api/views", json=[{"article_id": "a1"}, {"article_id": "a2"}])
    assert (one.status_code, one.json()) == (202, {"accepted": 1})
    assert (batch.status_code, batch.json()) == (202, {"accepted": 2})


def test_health_and_readiness(client):
    assert client.get("/api/health").json() == {"status": "ok"}
    assert client.get("/api/ready").json() == {"status": "ready"}

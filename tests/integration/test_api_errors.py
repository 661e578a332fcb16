"""Whatever a client sends, the answer is a JSON error with a reason, never a 500."""

import json

import pytest
from fastapi.testclient import TestClient

from services.ingest.app import create_app
from shared.settings import Settings
from tests.support.samples import AUTH, BODY, TOKENS


@pytest.fixture
def client(redis_url):
    settings = Settings(REDIS_URL=redis_url, api_tokens=TOKENS, max_body_bytes=10_000)
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_422_names_each_bad_field_and_why(client):
    bad = BODY | {
        "title": "",
        "published_at": "вчера",
        "authors": [{"name": "Имя", "slug": "Не Слаг"}],
        "lead_image": {"url": "javascript:alert(1)", "width": -1},
        "canonical_url": "ftp://x",
        "language": "русский",
        "unknown": 1,
    }
    bad.pop("author")

    response = client.put("/api/articles/a1", json=bad, headers=AUTH)

    assert response.status_code == 422
    assert response.json()["error"] == "validation failed"
    reasons = {f["field"]: f["reason"] for f in response.json()["fields"]}
    assert set(reasons) == {
        "title",
        "published_at",
        "authors.0.slug",
        "lead_image.url",
        "lead_image.width",
        "canonical_url",
        "language",
        "unknown",
    }
    assert reasons["title"] == "Value error, must not be empty"
    assert all(reasons.values())


def test_malformed_json_gets_400(client):
    for path, method in (("/api/articles/a1", "PUT"), ("/api/views", "POST")):
        response = client.request(
            method,
            path,
            content=b'{"title": ',
            headers=AUTH | {"content-type": "application/json"},
        )
        assert response.status_code == 400, path
        assert response.json()["error"] == "malformed JSON"


def test_body_over_the_limit_gets_413_declared_or_chunked(client):
    declared = client.put("/api/articles/a1", json=BODY | {"body_html": "x" * 20_000}, headers=AUTH)
    assert declared.status_code == 413
    assert declared.json() == {"error": "request body over 10000 bytes"}

    def chunks():
        yield b'{"article_id": "a1", "visitor_id": "'
        for _ in range(100):
            yield b"x" * 11_000
        yield b'"}'

    headers = {"content-type": "application/json"}
    streamed = client.post("/api/views", content=chunks(), headers=headers)
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413
    views_limit = client.app.state.views_parser.body_limit  # its own, from the batch size
    assert streamed.json()["error"] == f"request body over {views_limit} bytes"


def test_unknown_article_gets_404(client):
    assert client.get("/api/articles/nope", headers=AUTH).json() == {"error": "no article nope"}
    response = client.delete("/api/articles/nope", headers=AUTH)
    assert response.status_code == 404 and response.json()["error"] == "no article nope"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "x"}, {"Authorization": "Bearer "}],
)
def test_editorial_calls_without_a_valid_token_get_401(client, headers):
    # The article exists: only the token is missing.
    assert client.put("/api/articles/a1", json=BODY, headers=AUTH).status_code == 201
    for response in (
        client.put("/api/articles/a1", json=BODY, headers=headers),
        client.delete("/api/articles/a1", headers=headers),
        client.get("/api/articles/a1", headers=headers),
        client.get("/api/articles/a2", headers=headers),
        client.get("/api/articles/!!", headers=headers),
        client.get("/api/articles", headers=headers),
        client.get("/api/articles", params={"section": "Общество"}, headers=headers),
        client.get("/api/openapi.json", headers=headers),
        client.get("/api/docs", headers=headers),
    ):
        assert response.status_code == 401
        assert response.json() == {"error": "missing or invalid bearer token"}
        assert response.headers["www-authenticate"] == "Bearer"


def as_json(body: object) -> bytes:
    """JSON with lone surrogates escaped, as a client in another language might send it."""
    return json.dumps(body).encode()


# Each odd article with the one status it gets: 201 where it is stored (cleaned), 422 where a
# field is refused.
NASTY_ARTICLES = [
    (BODY | {"published_at": "0001-01-01T00:00:00+05:00"}, 422),
    (BODY | {"published_at": "9999-12-31T23:59:59-23:59"}, 422),
    (BODY | {"published_at": 10**30}, 422),
    (BODY | {"published_at": "2026-11-25T10:00:00"}, 422),
    (BODY | {"lead_image": {"url": "/a.jpg", "width": 10**400}}, 422),
    (BODY | {"title": "\ud800\udfff\ufffe"}, 201),
    (BODY | {"title": "\u202e\u200b‮ok"}, 201),
    (BODY | {"body_html": "<p>\ud800</p>"}, 422),
    (BODY | {"body_html": 5}, 422),
    (BODY | {"tags": "полиция"}, 422),
    (BODY | {"tags": [None, 1, {}]}, 422),
    (BODY | {"author": 7}, 422),
    (BODY | {"authors": "Имя"}, 422),
    (BODY | {"author": ["Имя"], "authors": ["Имя"]}, 422),
    (BODY | {"slug": "-" * 80}, 201),
    (BODY | {"section": "!!!"}, 201),
    ([BODY], 422),
    ("строка", 422),
    (None, 422),
]
JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(("body", "status"), NASTY_ARTICLES)
def test_odd_articles_get_their_one_status(client, body, status):
    response = client.put("/api/articles/a1", content=as_json(body), headers=AUTH | JSON)
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["error"] == "validation failed" and response.json()["fields"]


# Each odd view report with its one status: 400 where the bytes are not JSON (lone surrogates),
# 422 where a field is refused.
NASTY_VIEWS = [
    ({"article_id": "a1", "ts": 10**30}, 422),
    ({"article_id": "a1", "ts": "0001-01-01T00:00:00+14:00"}, 422),
    ({"article_id": "a1", "ts": "2026-11-25T10:00:00"}, 422),
    ({"article_id": "a1", "ts": [1]}, 422),
    ({"article_id": "a1", "visitor_id": "\ud800\x00"}, 400),
    ({"article_id": "\ud800"}, 400),
    ({"article_id": 10**400}, 422),
    ([], 422),
    ([[]], 422),
    ("a1", 422),
    (12, 422),
]


@pytest.mark.parametrize(("body", "status"), NASTY_VIEWS)
def test_odd_views_get_their_one_status(client, body, status):
    response = client.post("/api/views", content=as_json(body), headers=JSON)
    assert response.status_code == status, response.text
    assert response.json()["error"] == ("malformed JSON" if status == 400 else "validation failed")


# Odd bytes with the one status each call gets: (PUT an article, POST views).
@pytest.mark.parametrize(
    ("raw", "statuses"),
    [
        (b"\xff\xfe", (400, 400)),
        (b'{"article_id": "a1"} trailing', (400, 400)),
        (b"1" * 5000, (400, 400)),
        (b'{"article_id": "a1", "ts": 1e999}', (422, 422)),
        (b'{"title": "x", "lead_image": {"url": "/a.jpg", "width": 1e999}}', (422, 422)),
        (b"", (422, 400)),
    ],
)
def test_odd_bytes_get_their_one_status(client, raw, statuses):
    for (method, path), status in zip(
        (("PUT", "/api/articles/a1"), ("POST", "/api/views")), statuses, strict=True
    ):
        response = client.request(method, path, content=raw, headers=AUTH | JSON)
        assert response.status_code == status, (path, response.text)
        assert response.json()["error"]


def test_an_id_outside_the_pattern_gets_422(client):
    for bad in ("bad..id", "x" * 65, "пробел"):
        response = client.put(f"/api/articles/{bad}", json=BODY, headers=AUTH)
        assert response.status_code == 422
        assert response.json()["fields"][0]["field"] == "path.article_id"

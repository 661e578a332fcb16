"""Article history through the ingest API against a real Redis: who wrote each version, when,
what changed, restoring one by a PUT of its content, and the bound on what is kept."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from redis.asyncio import Redis

from newsroom.importer import import_lines
from services.ingest.app import create_app
from shared.article import ArticleIn
from shared.keyspace import Layout
from shared.settings import Settings
from shared.store import open_store
from tests.support.samples import BODY

CMS, CRM = "c" * 40, "r" * 40
AS_CMS = {"Authorization": f"Bearer {CMS}"}
AS_CRM = {"Authorization": f"Bearer {CRM}"}


def make_client(redis_url: str, **settings: object) -> TestClient:
    config = Settings(REDIS_URL=redis_url, api_tokens=f"cms:{CMS},crm:{CRM}", **settings)
    return TestClient(create_app(config))


@pytest.fixture
def client(redis_url):
    with make_client(redis_url) as test_client:
        yield test_client


def history(client: TestClient, article_id: str = "a1") -> list[dict]:
    answer = client.get(f"/api/articles/{article_id}/versions", headers=AS_CMS)
    assert answer.status_code == 200
    return answer.json()["items"]


def test_each_write_is_a_version_naming_its_token_and_what_changed(client):
    started = datetime.now(UTC)
    client.put("/api/articles/a1", json=BODY, headers=AS_CMS)
    client.put("/api/articles/a1", json=BODY, headers=AS_CMS)  # same body: no new version
    client.put("/api/articles/a1", json=BODY | {"title": "Новый заголовок"}, headers=AS_CRM)
    client.delete("/api/articles/a1", headers=AS_CMS)

    versions = history(client)

    assert [(v["version"], v["by"], v["action"], v["status"]) for v in versions] == [
        (3, "cms", "unpublished", "unpublished"),
        (2, "crm", "updated", "published"),
        (1, "cms", "created", "published"),
    ]
    assert versions[0]["changed"] == ["status"]
    assert versions[1]["changed"] == ["title"]
    assert {"title", "body_html", "authors", "slug", "status"} <= set(versions[2]["changed"])
    moments = [datetime.fromisoformat(v["at"]) for v in versions]
    assert moments == sorted(moments, reverse=True) and moments[-1] >= started
    assert all("content" not in v for v in versions)


def test_a_version_put_back_restores_the_article_at_its_url(client):
    first = client.put("/api/articles/a1", json=BODY, headers=AS_CMS).json()
    client.put(
        "/api/articles/a1", json=BODY | {"title": "Другой", "slug": "drugoi"}, headers=AS_CMS
    )
    client.delete("/api/articles/a1", headers=AS_CMS)

    content = client.get("/api/articles/a1/versions/1", headers=AS_CRM)
    restored = client.put(
        "/api/articles/a1", json=content.json(), headers=AS_CRM | {"If-Match": '"3"'}
    )

    assert content.status_code == 200
    assert ArticleIn.model_validate(content.json()).title == BODY["title"]
    assert restored.status_code == 200
    assert {k: restored.json()[k] for k in ("title", "url", "status", "version")} == {
        "title": BODY["title"],
        "url": first["url"],
        "status": "published",
        "version": 4,
    }
    latest = history(client)[0]
    assert (latest["by"], latest["action"]) == ("crm", "republished")
    assert set(latest["changed"]) == {"title", "slug", "status"}


def test_the_history_keeps_the_newest_versions_kept(redis_url):
    with make_client(redis_url, versions_kept=3) as client:
        for n in range(5):
            client.put("/api/articles/a1", json=BODY | {"summary": f"Лид {n}"}, headers=AS_CMS)

        kept = [v["version"] for v in history(client)]
        trimmed = client.get("/api/articles/a1/versions/2", headers=AS_CMS)
        length = client.portal.call(client.app.state.redis.llen, Layout().history_key("a1"))

    assert kept == [5, 4, 3] and length == 3
    assert (trimmed.status_code, trimmed.json()) == (
        404,
        {"error": "article a1 keeps no version 2"},
    )


@pytest.mark.parametrize("path", ["/api/articles/a1/versions", "/api/articles/a1/versions/1"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer " + "x" * 40}])
def test_versions_need_a_token(client, path, headers):
    client.put("/api/articles/a1", json=BODY, headers=AS_CMS)

    answer = client.get(path, headers=headers)

    assert (answer.status_code, answer.json()) == (
        401,
        {"error": "missing or invalid bearer token"},
    )


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/api/articles/nope/versions", 404, "no article nope"),
        ("/api/articles/nope/versions/1", 404, "no article nope"),
        ("/api/articles/a1/versions/7", 404, "article a1 keeps no version 7"),
    ],
)
def test_versions_of_what_is_not_there_are_404(client, path, status, error):
    client.put("/api/articles/a1", json=BODY, headers=AS_CMS)

    answer = client.get(path, headers=AS_CMS)

    assert (answer.status_code, answer.json()["error"]) == (status, error)


@pytest.mark.parametrize("version", ["0", "-1", "x"])
def test_a_version_that_is_no_number_is_422(client, version):
    answer = client.get(f"/api/articles/a1/versions/{version}", headers=AS_CMS)

    assert answer.status_code == 422


def test_the_log_line_of_each_write_names_the_token(client, caplog):
    with caplog.at_level(logging.INFO, logger="ingest.requests"):
        client.put("/api/articles/a1", json=BODY, headers=AS_CRM)
        client.delete("/api/articles/a1", headers=AS_CMS)
        client.delete("/api/articles/a1")  # refused: no token, no name

    lines = [(r.method, r.status, getattr(r, "token", None)) for r in caplog.records]
    assert lines == [("PUT", 201, "crm"), ("DELETE", 200, "cms"), ("DELETE", 401, None)]


async def test_the_scheduler_publishing_is_a_version_by_the_scheduler(redis_url):
    redis = Redis.from_url(redis_url)
    store = open_store(Settings(), redis)
    soon = datetime.now(UTC) + timedelta(hours=1)
    try:
        await store.save("a1", ArticleIn.model_validate(BODY | {"published_at": soon}), by="cms")
        await store.publish_due(soon + timedelta(seconds=1))
        versions = await store.versions("a1")
    finally:
        await redis.aclose()

    assert [(v.version, v.by, v.action, v.status, v.changed) for v in versions] == [
        (2, "scheduler", "published", "published", ["status"]),
        (1, "cms", "created", "scheduled", versions[1].changed),
    ]


async def test_an_imported_article_is_a_version_by_the_import(redis_url):
    redis = Redis.from_url(redis_url)
    store = open_store(Settings(), redis)
    try:
        await import_lines(store, [json.dumps(BODY | {"id": "a1"})])
        versions = await store.versions("a1")
    finally:
        await redis.aclose()

    assert [(v.version, v.by, v.action) for v in versions] == [(1, "import", "created")]

"""Article calls of the ingest API in-process against a real Redis: the editorial contract."""

import json

import pytest
from fastapi.testclient import TestClient

from services.ingest.app import create_app
from shared.settings import Settings
from shared.topology import ARTICLES_STREAM
from tests.support.samples import AUTH, BODY, TOKENS


@pytest.fixture
def client(redis_url):
    settings = Settings(
        REDIS_URL=redis_url,
        api_tokens=TOKENS,
        max_body_bytes=50_000,
        site_url="https://news.example.kz",
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def put(client, article_id, body=BODY, **headers):
    return client.put(f"/api/articles/{article_id}", json=body, headers=AUTH | headers)


def stream_events(client) -> list[dict]:
    redis = client.app.state.redis
    entries = client.portal.call(redis.xrange, ARTICLES_STREAM)
    return [json.loads(fields[b"__data__"]) for _, fields in entries]


def test_every_model_field_is_taken_and_server_fields_are_added(client):
    body = {
        "title": "  Итоги\x00 года\x1f  ",
        "subtitle": "Подзаголовок",
        "summary": "Лид\n\nв две строки",
        "body_html": "<p>Текст</p>",
        "authors": [{"name": "Айгерим Сапарова", "slug": "aigerim"}, "Ерлан Нур"],
        "section": "Экономика",
        "tags": ["бюджет", "Бюджет", "налоги"],
        "language": "kk",
        "published_at": "2026-11-25T10:00:00+05:00",
        "updated_at": "2026-11-25T12:00:00+05:00",
        "lead_image": {
            "url": "https://cdn.example.kz/a.jpg",
            "caption": "Подпись",
            "credit": "Фото: агентство",
            "width": 1200,
            "height": 800,
        },
        "canonical_url": "https://partner.example.com/story",
    }

    article = put(client, "kz_2026-01", body).json()

    assert article["title"] == "Итоги года"
    assert article["summary"] == "Лид в две строки"
    assert [a["name"] for a in article["authors"]] == ["Айгерим Сапарова", "Ерлан Нур"]
    assert [a["slug"] for a in article["authors"]] == ["aigerim", None]
    assert article["tags"] == ["бюджет", "налоги"]
    assert article["language"] == "kk"
    assert article["lead_image"]["credit"] == "Фото: агентство"
    assert article["canonical_url"] == "https://partner.example.com/story"
    assert (article["status"], article["version"]) == ("published", 1)
    assert article["slug"] == "itogi-goda"
    assert article["url"] == "/2026/11/25/itogi-goda/"
    assert article["guid"].startswith("urn:uuid:")
    for stamp in ("created_at", "modified_at"):
        assert article[stamp].endswith("+00:00")
    assert "digest" not in article


def test_same_body_twice_is_one_version_and_get_carries_the_etag(client):
    first = put(client, "a1")
    again = put(client, "a1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["version"] == 1
    assert len(stream_events(client)) == 1
    got = client.get("/api/articles/a1", headers=AUTH)
    assert got.headers["etag"] == '"1"'
    assert got.json()["guid"] == first.json()["guid"]


def test_if_match_with_a_stale_version_gets_412(client):
    put(client, "a1")
    put(client, "a1", BODY | {"summary": "Второй лид"})

    stale = put(client, "a1", BODY | {"summary": "Третий"}, **{"If-Match": '"1"'})
    fresh = put(client, "a1", BODY | {"summary": "Третий"}, **{"If-Match": '"2"'})
    garbage = put(client, "a1", BODY, **{"If-Match": "v-three"})

    assert stale.status_code == 412
    assert stale.json()["error"] == "version mismatch: it is 2"
    unknown = put(client, "a2", BODY, **{"If-Match": '"1"'})
    assert unknown.json() == {"error": "version mismatch: the article does not exist"}
    assert (fresh.status_code, fresh.json()["version"]) == (200, 3)
    assert garbage.status_code == 400 and "If-Match" in garbage.json()["error"]


def test_title_edit_keeps_the_slug_and_a_new_slug_redirects(client):
    put(client, "a1")
    edited = put(client, "a1", BODY | {"title": "Совсем другой заголовок"}).json()
    assert edited["slug"] == "chem-ya-mogu-vam-pomoch"

    moved = put(client, "a1", BODY | {"slug": "novyi-adres"}).json()

    assert moved["url"] == "/2026/11/25/novyi-adres/"
    resolved = client.get("/api/resolve", params={"path": "/2026/11/25/chem-ya-mogu-vam-pomoch/"})
    assert resolved.status_code == 200
    assert resolved.json() == {"status": 301, "location": "/2026/11/25/novyi-adres/"}


def test_asking_for_a_slug_another_article_has_gets_409_and_changes_nothing(client):
    first = put(client, "a1", BODY | {"slug": "most"}).json()
    put(client, "a2", BODY | {"title": "Другая новость"})
    events = len(stream_events(client))

    taken = put(client, "a2", BODY | {"title": "Другая новость", "slug": "most"})

    assert taken.status_code == 409
    assert taken.json()["error"] == "slug most belongs to another article"
    assert client.get("/api/articles/a2", headers=AUTH).json()["slug"] == "drugaya-novost"
    assert client.get("/api/articles/a1", headers=AUTH).json()["url"] == first["url"]
    assert len(stream_events(client)) == events


def test_delete_unpublishes_and_put_republishes(client):
    url = put(client, "a1").json()["url"]

    deleted = client.delete("/api/articles/a1", headers=AUTH)
    assert (deleted.status_code, deleted.json()["status"]) == (200, "unpublished")
    assert client.get("/api/articles/a1", headers=AUTH).json()["status"] == "unpublished"
    assert client.get("/api/resolve", params={"path": url}).json() == {
        "status": 410,
        "location": None,
    }

    republished = put(client, "a1")
    assert (republished.json()["status"], republished.json()["version"]) == ("published", 3)
    types = [e["type"] for e in stream_events(client)]
    assert types == ["ArticlePublished", "ArticleUnpublished", "ArticlePublished"]


def test_future_article_is_scheduled(client):
    article = put(client, "a1", BODY | {"published_at": "2099-01-01T00:00:00+00:00"}).json()
    assert article["status"] == "scheduled"
    assert stream_events(client) == []


def test_resolve_answers_404_for_unknown_paths_and_422_for_non_paths(client):
    assert client.get("/api/resolve", params={"path": "/nothing/"}).json() == {
        "status": 404,
        "location": None,
    }
    bad = client.get("/api/resolve", params={"path": "http://x/"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "query.path"


def test_editor_list_filters_pages_with_an_opaque_cursor_and_keeps_its_order(client):
    for n in range(7):
        section = "Спорт" if n % 2 else "Общество"
        put(
            client, f"a{n}", BODY | {"title": f"Новость {n}", "section": section, "tags": ["итоги"]}
        )
    client.delete("/api/articles/a0", headers=AUTH)
    put(client, "a6", BODY | {"published_at": "2099-01-01T00:00:00+00:00"})

    def walk(**params) -> list[str]:
        ids, cursor = [], None
        while True:
            page = client.get(
                "/api/articles",
                params=params | ({"cursor": cursor} if cursor else {}),
                headers=AUTH,
            )
            assert page.status_code == 200
            ids += [a["id"] for a in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                return ids
            assert "|" not in cursor
            put(client, "a3", BODY | {"title": "Правка между страницами", "section": "Спорт"})

    assert walk(limit=3) == ["a6", "a5", "a4", "a3", "a2", "a1", "a0"]
    assert walk(limit=2, section="Спорт") == ["a5", "a3", "a1"]
    assert walk(limit=1, section="obshchestvo", tag="итоги") == ["a4", "a2", "a0"]
    assert walk(tag="nichego") == []
    statuses = {
        a["id"]: a["status"] for a in client.get("/api/articles", headers=AUTH).json()["items"]
    }
    assert (statuses["a0"], statuses["a6"], statuses["a1"]) == (
        "unpublished",
        "scheduled",
        "published",
    )


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": 101}, "query.limit"),
        ({"limit": "много"}, "query.limit"),
        ({"cursor": "not-a-cursor"}, "query.cursor"),
        ({"cursor": "fA=="}, "query.cursor"),
        ({"section": "x" * 101}, "query.section"),
    ],
)
def test_editor_list_rejects_bad_parameters_with_422(client, params, field):
    response = client.get("/api/articles", params=params, headers=AUTH)
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["fields"]] == [field]

"""Image uploads on the real platform: POST /api/media, articles using them, pages and feeds.

The platform runs with small limits (3 MB, 4 megapixels) so the refusals cost little.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from shared.media import MEDIA_ID_PATTERN, media_folder
from tests.render.test_html_validity import failures
from tests.support.images import bomb, picture, size_of
from tests.support.platform import Platform, wait_for
from tests.support.redis_server import redis_executor, url_of
from tests.support.samples import TOKEN
from tests.support.timing import scaled

MAX_BYTES = 3_000_000
MAX_PIXELS = 4_000_000
ATOM = "{http://www.w3.org/2005/Atom}"
TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    workdir: Path = tmp_path_factory.mktemp("media")
    with redis_executor(workdir / "redis") as executor:
        running = Platform(url_of(executor), workdir)
        running.env["NEWSROOM_MEDIA_MAX_BYTES"] = str(MAX_BYTES)
        running.env["NEWSROOM_MEDIA_MAX_PIXELS"] = str(MAX_PIXELS)
        try:
            running.start_all()
            yield running
        finally:
            running.stop()


def upload(platform: Platform, data: bytes, kind: str = "image/jpeg", **headers: str):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    return httpx.post(
        f"{platform.site_url}/api/media",
        content=data,
        headers=auth | {"Content-Type": kind} | headers,
        timeout=scaled(30),
    )


def article(title: str, lead_image: dict, delta: timedelta = -timedelta(hours=1)) -> dict:
    return {
        "title": title,
        "body_html": "<p>Текст.</p>",
        "author": "Фотограф",
        "section": "Фото",
        "published_at": (datetime.now(UTC) + delta).isoformat(timespec="seconds"),
        "lead_image": lead_image,
    }


@pytest.fixture(scope="module")
def photo(platform: Platform) -> dict:
    """A 2000 × 1200 JPEG, uploaded."""
    answer = upload(platform, picture(2000, 1200, "JPEG"))
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.fixture(scope="module")
def published(platform: Platform, photo: dict) -> dict:
    """A live article with the photo as its lead image, once its page is out."""
    body = article("Снимок дня", {"media_id": photo["id"], "caption": "Степь"})
    answer = platform.api().put("/api/articles/photo-1", json=body)
    assert answer.status_code == 201, answer.text
    stored = answer.json()
    wait_for(lambda: platform.get(stored["url"]).status_code == 200, timeout=30)
    return stored


@pytest.mark.parametrize(
    ("fmt", "size", "widths"),
    [
        ("JPEG", (2000, 1200), [480, 960, 1600]),
        ("PNG", (1000, 700), [480, 960, 1000]),
        ("WEBP", (300, 200), [300]),
    ],
)
def test_each_format_is_kept_with_its_variants_before_the_answer(platform, fmt, size, widths):
    original = picture(*size, fmt, alpha=fmt == "PNG")
    answer = upload(platform, original, TYPES[fmt])

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert set(body) == {"id", "url", "width", "height"}
    assert re.fullmatch(MEDIA_ID_PATTERN, body["id"])
    assert (body["width"], body["height"]) == size
    ext = EXTS[fmt]
    assert (
        body["url"]
        == f"https://news.example.kz/media/{media_folder(body['id'])}/{widths[-1]}.{ext}"
    )
    kept = platform.media / media_folder(body["id"])
    assert (kept / f"original.{ext}").read_bytes() == original
    for width in widths:
        height = round(size[1] * width / size[0])
        assert size_of((kept / f"{width}.webp").read_bytes()) == ("WEBP", width, height)
        assert size_of((kept / f"{width}.{ext}").read_bytes()) == (fmt, width, height)
    assert sorted(p.name for p in kept.iterdir() if p.suffix != ".json") == sorted(
        {f"original.{ext}", *(f"{w}.webp" for w in widths), *(f"{w}.{ext}" for w in widths)}
    )
    # Not on the site until an article using it is live.
    assert not (platform.public / "media" / media_folder(body["id"])).exists()
    assert platform.get(body["url"].removeprefix("https://news.example.kz")).status_code == 404


def test_the_type_is_read_from_the_bytes_not_the_header(platform):
    answer = upload(platform, picture(600, 400, "PNG"), "image/jpeg")
    assert answer.status_code == 201, answer.text
    assert answer.json()["url"].endswith("/600.png")


@pytest.mark.parametrize(
    ("data", "kind", "status", "reason"),
    [
        (picture(200, 100, "JPEG"), "application/octet-stream", 415, "image/* content type"),
        (picture(200, 100, "GIF"), "image/gif", 415, "GIF images are not taken"),
        (bomb(), "image/png", 413, "pixels"),
        (picture(2100, 2000, "JPEG"), "image/jpeg", 413, "over the limit"),
        (b"\x00garbage" * 1000, "image/png", 422, "not an image"),
        (picture(800, 600, "JPEG")[:3000], "image/jpeg", 422, "truncated or corrupt"),
        (picture(800, 600, "PNG")[:2000], "image/png", 422, "truncated or corrupt"),
        (b"\xff" * (MAX_BYTES + 1), "image/jpeg", 413, f"over {MAX_BYTES} bytes"),
    ],
    ids=["not-image", "gif", "bomb", "too-many-pixels", "garbage", "cut-jpeg", "cut-png", "big"],
)
def test_refusals_are_json_and_keep_nothing(platform, data, kind, status, reason):
    before = sorted(platform.media.rglob("*")) if platform.media.exists() else []
    answer = upload(platform, data, kind)
    assert answer.status_code == status, answer.text
    assert reason in answer.json()["error"]
    assert (sorted(platform.media.rglob("*")) if platform.media.exists() else []) == before


def test_an_upload_needs_the_token(platform):
    answer = httpx.post(
        f"{platform.site_url}/api/media",
        content=picture(200, 100, "JPEG"),
        headers={"Content-Type": "image/jpeg"},
        timeout=scaled(10),
    )
    assert answer.status_code == 401
    assert answer.json() == {"error": "missing or invalid bearer token"}


@pytest.mark.parametrize(
    ("lead_image", "field"),
    [
        ({"url": "/a.jpg", "media_id": "0" * 32}, "lead_image"),
        ({"caption": "без картинки"}, "lead_image"),
        ({"media_id": "0" * 32}, "lead_image.media_id"),
        ({"media_id": "../../etc"}, "lead_image.media_id"),
    ],
)
def test_a_lead_image_takes_exactly_one_known_source(platform, lead_image, field):
    answer = platform.api().put("/api/articles/bad-image", json=article("Нет", lead_image))
    assert answer.status_code == 422, answer.text
    assert field in {f["field"] for f in answer.json()["fields"]}


def test_the_api_fills_in_the_size_of_an_uploaded_lead_image(published, photo):
    image = published["lead_image"]
    assert image["media_id"] == photo["id"]
    assert (image["width"], image["height"]) == (2000, 1200)
    assert image["url"] is None


def test_the_article_page_shows_a_picture_whose_every_variant_is_served(platform, published):
    page = BeautifulSoup(platform.get(published["url"]).text, "html.parser")
    figure = page.select_one("figure.lead-image picture")
    source = figure.select_one("source")
    img = figure.select_one("img")
    assert source["type"] == "image/webp"
    assert source["sizes"] == img["sizes"] and "100vw" in img["sizes"]
    assert (img["width"], img["height"]) == ("2000", "1200")
    assert img["alt"] == "Степь"
    for srcset, kind, fmt in (
        (source["srcset"], "image/webp", "WEBP"),
        (img["srcset"], "image/jpeg", "JPEG"),
    ):
        entries = [entry.split() for entry in srcset.split(", ")]
        assert [w for _, w in entries] == ["480w", "960w", "1600w"]
        for url, width in entries:
            answer = platform.get(url)
            assert answer.status_code == 200 and answer.headers["content-type"] == kind
            assert size_of(answer.content)[:2] == (fmt, int(width[:-1]))
    assert img["src"] == entries[-1][0]
    assert page.select_one('meta[property="og:image"]')["content"].endswith(img["src"])
    # List pages show the 960 px WebP.
    home = BeautifulSoup(platform.get("/").text, "html.parser")
    teaser = home.select_one(f'.teaser-image[href="{published["url"]}"] img')
    assert teaser["src"].endswith("/960.webp") and platform.get(teaser["src"]).status_code == 200


@pytest.mark.slow
def test_the_article_page_with_a_picture_is_valid_html(platform, published):
    path = platform.public / published["url"].strip("/") / "index.html"
    assert path.is_file() and "<picture>" in path.read_text()
    assert failures([path]) == {}


def test_feeds_carry_the_uploaded_image_as_an_enclosure(platform, published, photo):
    large = photo["url"]
    length = (platform.media / media_folder(photo["id"]) / "1600.jpg").stat().st_size
    rss = wait_for(lambda: large in (text := platform.get("/feeds/rss.xml").text) and text, 30)
    enclosure = ET.fromstring(rss).find("channel/item/enclosure").attrib
    assert enclosure == {"url": large, "length": str(length), "type": "image/jpeg"}
    atom = ET.fromstring(platform.get("/feeds/atom.xml").text)
    links = [link.attrib for link in atom.iter(f"{ATOM}link") if link.get("rel") == "enclosure"]
    assert links == [
        {"href": large, "rel": "enclosure", "type": "image/jpeg", "length": str(length)}
    ]
    item = platform.get("/feeds/feed.json").json()["items"][0]
    assert item["image"] == large
    assert item["attachments"] == [
        {"url": large, "mime_type": "image/jpeg", "size_in_bytes": length}
    ]


def test_an_image_of_a_scheduled_article_shows_only_once_it_is_live(platform):
    photo = upload(platform, picture(700, 500, "JPEG")).json()
    body = article("Позже", {"media_id": photo["id"]}, delta=timedelta(seconds=scaled(5)))
    stored = platform.api().put("/api/articles/photo-later", json=body).json()
    assert stored["status"] == "scheduled"
    path = photo["url"].removeprefix("https://news.example.kz")
    assert platform.get(path).status_code == 404
    assert not (platform.public / "media" / media_folder(photo["id"])).exists()
    wait_for(lambda: platform.get(stored["url"]).status_code == 200, timeout=60)
    assert platform.get(path).status_code == 200


def test_a_rebuild_derives_lost_variants_again(platform, published, photo):
    kept = platform.media / media_folder(photo["id"]) / "960.webp"
    served = platform.public / "media" / media_folder(photo["id"]) / "960.webp"
    kept.unlink()
    served.unlink()
    platform.rebuild()
    assert size_of(kept.read_bytes()) == ("WEBP", 960, 576)
    assert size_of(served.read_bytes()) == ("WEBP", 960, 576)

"""What the editors were told, and how the public folder is checked against it.

`confirmed` sends an article operation until its answer is definite; every acknowledged
write is recorded as `Known` (the API's answer); `mismatches` lists what on
disk differs from it: each live article's page at its latest version, each unpublished one
gone, the home page listing the newest live articles in order, and the site's RSS and Atom
feeds carrying exactly them, once each.
"""

import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import feedparser
import httpx

from tests.support.timing import scaled

VERSION = re.compile(r'<meta name="newsroom:version" content="(\d+)">')
LINK = re.compile(r'href="([^"]+)"')


@dataclass
class Known:
    """What the editor last got confirmed for one article."""

    live: bool
    version: int
    url: str
    guid: str
    published_at: datetime

    @classmethod
    def of(cls, answer: dict, now: datetime) -> "Known":
        """From an API answer: live if published, or scheduled for a moment now passed."""
        published_at = datetime.fromisoformat(answer["published_at"])
        status = answer["status"]
        live = status == "published" or (status == "scheduled" and published_at <= now)
        return cls(live, answer["version"], answer["url"], answer["guid"], published_at)


def confirmed(
    api: httpx.Client, method: str, article_id: str, body: dict | None, seconds: float
) -> tuple[dict, int]:
    """Send one article operation, repeating it while the answer is "not now" (a 5xx or a
    cut connection, e.g. while Redis restarts or a cluster fails over), for at most `seconds`
    (scaled): the acknowledged answer and how many times it was repeated."""
    give_up = time.monotonic() + scaled(seconds)
    retries = 0
    while True:
        try:
            answer = api.request(method, f"/api/articles/{article_id}", json=body)
        except httpx.HTTPError:
            answer = None
        if answer is not None and answer.status_code < 300:
            return answer.json(), retries
        assert answer is None or answer.status_code >= 500, answer.text
        assert time.monotonic() < give_up, f"{method} {article_id}: no answer"
        retries += 1
        time.sleep(0.2)


def site_file(root: Path, url: str) -> Path:
    """The page file of a site path."""
    return root / url.strip("/") / "index.html"


def mismatches(root: Path, known: dict[str, Known], page_size: int, feed_size: int) -> list[str]:
    """Everything on disk that differs from what the editors were last told."""
    problems = []
    for article_id, k in known.items():
        page = site_file(root, k.url)
        if k.live:
            found = VERSION.search(page.read_text()) if page.exists() else None
            if not found or int(found.group(1)) != k.version:
                problems.append(f"{article_id}: page lacks version {k.version}")
        elif page.exists():
            problems.append(f"{article_id}: unpublished but its page is there")
    live = sorted((k for k in known.values() if k.live), key=lambda k: k.published_at, reverse=True)
    urls = {k.url for k in known.values()}
    home = (root / "index.html").read_text()
    listed = list(dict.fromkeys(u for u in LINK.findall(home) if u in urls))
    if listed != [k.url for k in live[:page_size]]:
        problems.append("home page does not list the newest live articles in order")
    for name in ("rss", "atom"):
        entries = feedparser.parse((root / "feeds" / f"{name}.xml").read_bytes()).entries
        if [e.id for e in entries] != [k.guid for k in live[:feed_size]]:
            problems.append(f"{name} feed does not carry exactly the newest live articles")
    return problems

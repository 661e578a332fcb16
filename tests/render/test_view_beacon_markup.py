"""Which pages report views: article pages, unless rendered with `count_views=False`
(the browser side is tested in tests/e2e/test_reader_views.py)."""

from shared.pages.site_pages import Pages
from shared.pages.theme import make_environment
from tests.support.site import site_settings, soup

BEACON = "/static/beacon.js"


def test_only_article_pages_carry_the_view_beacon(site):
    article = soup(site.page(site.article_url("demo-001")))
    assert article.select_one("article.article")["data-view-beacon"] == "demo-001"
    assert [s["src"] for s in article.select("script[src]")] == ["/static/site.js", BEACON]

    for url in ("/", "/section/obshchestvo/", "/2026/11/24/"):
        page = soup(site.page(url))
        assert page.select("[data-view-beacon]") == [], url
        assert page.select(f'script[src="{BEACON}"]') == [], url


async def test_a_page_rendered_with_count_views_false_reports_nothing(site, tmp_path):
    settings = site_settings(site.redis_url, tmp_path)
    store = site.store()
    page = Pages(store, settings).article(await store.get("demo-001"), [])
    await store.redis.aclose()
    template = make_environment(settings).get_template(page.template)

    counted = soup(template.render(page.context))
    quiet = soup(template.render({**page.context, "count_views": False}))

    assert counted.select_one("[data-view-beacon]") is not None
    assert quiet.select("[data-view-beacon]") == []
    assert quiet.select(f'script[src="{BEACON}"]') == []
    assert quiet.select_one("article.article h1").get_text() == counted.select_one("h1").get_text()

"""`newsroom import` saves many lines at once, yet leaves every article and slug as a
one-at-a-time import in file order would: a repeated id ends as its last line says, titles
that make the same slug get it and its numbered fallbacks in file order, and a slug asked
for after another line took it is refused."""

import json

from newsroom.importer import AT_ONCE, import_lines
from shared.store import ArticleStore

TITLE = "Одинаковый заголовок"  # its slug: odinakovyy-zagolovok
SLUG = "odinakovyy-zagolovok"


def line(article_id: str, title: str = TITLE, **fields: object) -> str:
    """An archive line."""
    article = {
        "id": article_id,
        "title": title,
        "author": "Архивариус",
        "section": "Общество",
        "published_at": "2025-03-01T09:00:00+05:00",
        "body_html": f"<p>{title}</p>",
    }
    return json.dumps(article | fields, ensure_ascii=False)


async def test_an_import_leaves_what_a_one_at_a_time_import_would(store: ArticleStore):
    same_title = [line(f"same-{n}") for n in range(2 * AT_ONCE)]
    lines = [
        line("asks-3", title="Другой заголовок", slug=f"{SLUG}-3"),  # before the others
        *same_title[:AT_ONCE],
        line("twice", title="Первая редакция"),
        *same_title[AT_ONCE:],
        line("twice", title="Вторая редакция"),
        line("thief", title="Вор", slug=f"{SLUG}-5"),  # taken by then
    ]
    report = await import_lines(store, lines)

    assert report.created == 2 * AT_ONCE + 2 and report.updated == 1
    assert [(r.line, "belongs to another article" in r.reason) for r in report.rejected] == [
        (len(lines), True)
    ]
    expected = [SLUG, SLUG + "-2", *(f"{SLUG}-{n}" for n in range(4, 2 * AT_ONCE + 2))]
    for n, slug in enumerate(expected):
        stored = await store.get(f"same-{n}")
        assert stored is not None and stored.slug == slug
    twice = await store.get("twice")
    assert twice is not None and twice.title == "Вторая редакция" and twice.version == 2
    assert await store.get("thief") is None

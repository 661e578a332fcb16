"""Articles: text is cleaned on the way in, read back as saved, and versioned by their own rules."""

from datetime import UTC, datetime, timedelta

from shared.article import Article, Status
from shared.store import ParsedArticles
from tests.support.samples import article_in, stored_article


def sent_article(**changes) -> Article:
    """An article whose text needs cleaning, as the store would keep it."""
    messy = {
        "title": "  Заголовок\x00  с\tпробелами ",
        "author": "Айгерим  Сапарова",
        "tags": ["Астана", "астана", ""],
        "body_html": "<p>Текст\x0b</p>",
    }
    return stored_article(**messy | changes)


def test_text_is_cleaned_once_and_a_stored_article_reads_back_unchanged():
    sent = sent_article()
    assert sent.title == "Заголовок с пробелами"
    assert [a.name for a in sent.authors] == ["Айгерим Сапарова"]
    assert sent.tags == ["Астана"]
    assert sent.body_html == "<p>Текст</p>"

    assert Article.from_stored(sent.model_dump_json()) == sent


def test_parsed_articles_are_kept_within_their_budget_of_stored_bytes():
    first, second = (sent_article(title=t).model_dump_json().encode() for t in ("Один", "Два"))
    kept = ParsedArticles(budget=len(first) + len(second))
    assert kept.parse(first) is kept.parse(first)
    assert kept.parse(second).title == "Два"
    assert kept.parse(first) is kept.parse(first)

    # A third article is over the budget: what was kept is let go, the new one is kept.
    third = sent_article(title="Три").model_dump_json().encode()
    was = kept.parse(first)
    assert kept.parse(third).title == "Три"
    assert kept.parse(first) is not was and kept.parse(first) == was


def test_version_rules_count_up_keep_the_identity_and_redirect_old_urls():
    first_day = datetime(2026, 11, 25, 12, tzinfo=UTC)
    data = article_in()
    first = Article.written(None, "a1", data, slug="old", url="/old/", now=first_day)
    assert (first.version, first.status, first.redirect_from) == (1, Status.PUBLISHED, [])
    assert first.unchanged_by(data) and not first.unchanged_by(article_in(title="Другое"))

    later = first_day + timedelta(days=1)
    moved = Article.written(first, "a1", data, slug="new", url="/new/", now=later)
    assert (moved.version, moved.guid, moved.created_at) == (2, first.guid, first.created_at)
    assert moved.redirect_from == ["/old/"] and moved.modified_at == later

    # Back at its first URL: that URL no longer redirects, the second one does.
    back = Article.written(moved, "a1", data, slug="old", url="/old/", now=later)
    assert back.redirect_from == ["/new/"]

    # Unpublished, the same content written again makes a version (it comes back).
    gone = back.with_status(Status.UNPUBLISHED, later)
    assert (gone.version, gone.status) == (4, Status.UNPUBLISHED)
    assert not gone.unchanged_by(data)


def test_an_article_whose_time_is_ahead_is_scheduled():
    data = article_in()
    before = data.published_at - timedelta(minutes=1)
    assert Article.written(None, "a1", data, slug="s", url="/s/", now=before).status == (
        Status.SCHEDULED
    )

"""Articles: text is cleaned on the way in, and read back from the store as it was saved."""

from datetime import UTC, datetime

from shared.article import Article


def test_text_is_cleaned_once_and_a_stored_article_reads_back_unchanged():
    sent = Article.model_validate(
        {
            "id": "a-1",
            "version": 1,
            "guid": "urn:uuid:1",
            "slug": "a-1",
            "url": "/2026/11/25/a-1/",
            "status": "published",
            "created_at": datetime(2026, 11, 25, tzinfo=UTC),
            "modified_at": datetime(2026, 11, 25, tzinfo=UTC),
            "title": "  Заголовок\x00  с\tпробелами ",
            "author": "Айгерим  Сапарова",
            "section": "Общество",
            "tags": ["Астана", "астана", ""],
            "body_html": "<p>Текст\x0b</p>",
            "published_at": datetime(2026, 11, 25, 9, 5, tzinfo=UTC),
        }
    )
    assert sent.title == "Заголовок с пробелами"
    assert [a.name for a in sent.authors] == ["Айгерим Сапарова"]
    assert sent.tags == ["Астана"]
    assert sent.body_html == "<p>Текст</p>"

    assert Article.from_stored(sent.model_dump_json()) == sent

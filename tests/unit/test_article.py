"""Articles: text is cleaned on the way in, and read back from the store as it was saved."""

from shared.article import Article
from shared.store import ParsedArticles
from tests.support.samples import stored_article


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

"""A sample article as an editor sends it, shared by tests that publish one, and the same
as the store keeps it."""

from datetime import UTC, datetime
from typing import Any

from shared.article import Article, ArticleIn

ARTICLE = {
    "title": "Чем я могу Вам помочь?",
    "author": "Александра Власова",
    "section": "Общество",
    "tags": ["полиция", "Жас бүркіт"],
    "published_at": "2026-11-25T10:00:00+05:00",
    "summary": "Полиция переходит на сервисную модель.",
    "body_html": "<p>Диалог полицейского начинается со слов «чем я могу помочь?»</p>",
}

# The API tests' token (its secret, its name and the NEWSROOM_API_TOKENS value naming it), and
# a smaller article body they send.
TOKEN = "tests-only-secret-0f5c9a7e3b1d48d2a6c4"
TOKEN_NAME = "tests"
TOKENS = f"{TOKEN_NAME}:{TOKEN}"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# The key the platform under test signs preview links with.
PREVIEW_SECRET = "tests-only-preview-key-7d1e0b4c9a2f46e8"
BODY = ARTICLE | {"tags": ["полиция"], "summary": "Лид", "body_html": "<p>Текст</p>"}

# What the store adds to an article it saves (tests of stored articles override what matters).
SERVER_FIELDS: dict[str, Any] = {
    "id": "a1",
    "version": 1,
    "guid": "urn:uuid:1",
    "slug": "s",
    "url": "/2026/11/25/s/",
    "status": "published",
    "created_at": datetime(2026, 11, 25, tzinfo=UTC),
    "modified_at": datetime(2026, 11, 25, 10, tzinfo=UTC),
}


def stored_article(**fields: Any) -> Article:
    """The sample article as the store keeps it, with `fields` in place of the sample's."""
    return Article.model_validate(SERVER_FIELDS | ARTICLE | fields)


def article_in(**changes: Any) -> ArticleIn:
    """The sample article as the API validates it, with `changes`."""
    return ArticleIn.model_validate(ARTICLE | changes)

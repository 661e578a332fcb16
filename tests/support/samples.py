"""A sample article as an editor sends it, shared by tests that publish one."""

ARTICLE = {
    "title": "Чем я могу Вам помочь?",
    "author": "Александра Власова",
    "section": "Общество",
    "tags": ["полиция", "Жас бүркіт"],
    "published_at": "2026-11-25T10:00:00+05:00",
    "summary": "Полиция переходит на сервисную модель.",
    "body_html": "<p>Диалог полицейского начинается со слов «чем я могу помочь?»</p>",
}

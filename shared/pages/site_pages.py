"""Every page kind of the site in one builder, and the fixed error pages."""

from shared.pages.archives import ArchivePages
from shared.pages.articles import ArticlePages
from shared.pages.model import Page


class Pages(ArticlePages, ArchivePages):
    """Builds pages from the store's current state."""

    def error(self, url: str, status: int) -> Page:
        """The 404 or 410 page the web server answers with."""
        texts = {
            404: ("Страница не найдена", "Такой страницы нет. Возможно, в адресе опечатка."),
            410: ("Материал снят с публикации", "Этот материал больше не доступен."),
        }
        heading, message = texts[status]
        return Page(
            url,
            "error.html",
            {
                "canonical": url,
                "page_title": heading,
                "heading": heading,
                "message": message,
                "description": heading,
                "feeds": self.feeds(),
            },
        )

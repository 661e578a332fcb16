"""Every page kind of the site in one builder, and the fixed pages: errors and search."""

from shared.pages.archives import ArchivePages
from shared.pages.articles import ArticlePages
from shared.pages.model import Page


class Pages(ArticlePages, ArchivePages):
    """Builds pages from the store's current state."""

    def error(self, url: str, status: int) -> Page:
        """The 404 or 410 page the web server answers with."""
        heading, message = (self.messages["errors"][status][k] for k in ("heading", "message"))
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
                "menu": self.menu,
            },
        )

    def search(self) -> Page:
        """The search results page: static, filled in the browser by the theme's search.js."""
        title = self.messages["search"]["title"]
        context = {"canonical": self.urls.search, "page_title": title, "description": title}
        return Page(
            self.urls.search, "search.html", context | {"feeds": self.feeds(), "menu": self.menu}
        )

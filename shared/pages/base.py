"""What every page kind's builder starts from: the store, the site's settings, its feeds."""

from zoneinfo import ZoneInfo

from shared.listing import HOME
from shared.pages.menu import site_menu
from shared.pages.messages import messages
from shared.settings import Settings
from shared.store import ArticleStore
from shared.urls import UrlScheme


class PageBase:
    """Reads the store and the settings every page kind needs."""

    def __init__(self, store: ArticleStore, settings: Settings) -> None:
        self.store = store
        self.urls: UrlScheme = store.urls
        self.size = settings.page_size
        self.zone = ZoneInfo(settings.timezone)
        self.base = settings.base_url
        self.site_name = settings.site_name
        self.messages = messages(settings)
        self.menu_order = settings.menu_order
        self.menu: list[tuple[str, str]] = []  # (name, url) of the header menu's sections

    async def load_menu(self) -> None:
        """Read the header menu from the store (before building pages that show it)."""
        self.menu = await site_menu(self.store, self.menu_order)

    def feeds(self) -> list[tuple[str, str, str]]:
        """(title, format, path) of the site feeds for autodiscovery."""
        site = HOME.feed_paths(self.urls)
        return [
            (f"{self.site_name} — RSS", "rss", site["rss"]),
            (f"{self.site_name} — Atom", "atom", site["atom"]),
            (f"{self.site_name} — JSON Feed", "json", site["json"]),
        ]

    def numbered(self, title: str, number: int | None) -> str:
        """The title of page `number` of a paginated list (None: its first page)."""
        return self.messages["numbered"].format(title=title, number=number) if number else title

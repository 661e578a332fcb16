"""The Jinja2 theme: templates and static files in one folder an operator can replace."""

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.clock import human_datetime, month_name
from shared.settings import Settings
from shared.text import truncate_words

DEFAULT_THEME = Path(__file__).parent / "theme"


def make_environment(settings: Settings, theme_dir: Path | None = None) -> Environment:
    """A Jinja environment for the theme, with the site's date and text filters."""
    root = theme_dir or DEFAULT_THEME
    env = Environment(
        loader=FileSystemLoader(root / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["human_datetime"] = lambda d: human_datetime(d, settings.timezone)
    env.filters["month_name"] = month_name
    env.filters["truncate_words"] = truncate_words
    env.globals["site"] = {
        "name": settings.site_name,
        "url": settings.base_url,
        "language": settings.language,
    }
    return env

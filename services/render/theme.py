"""The Jinja2 theme: templates and static files in one folder an operator can replace."""

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from shared.clock import human_datetime, month_name
from shared.settings import Settings
from shared.text import truncate_words
from shared.urls import UrlScheme

DEFAULT_THEME = Path(__file__).parent / "theme"


def theme_dir(settings: Settings) -> Path:
    """The theme folder: NEWSROOM_THEME_DIR, or the built-in theme."""
    return settings.theme_dir or DEFAULT_THEME


def json_ld(data: Any) -> Markup:
    """JSON for a `<script type="application/ld+json">` block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def make_environment(settings: Settings, root: Path | None = None) -> Environment:
    """A Jinja environment for the theme, with the site's date and text filters."""
    env = Environment(
        loader=FileSystemLoader((root or theme_dir(settings)) / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["human_datetime"] = lambda d: human_datetime(d, settings.timezone)
    env.filters["month_name"] = month_name
    env.filters["truncate_words"] = truncate_words
    env.filters["json_ld"] = json_ld
    env.filters["iso"] = lambda d: d.isoformat(timespec="seconds")
    env.globals["site"] = {
        "name": settings.site_name,
        "url": settings.base_url,
        "language": settings.language,
    }
    env.globals["urls"] = UrlScheme(timezone=settings.timezone)
    return env

"""The Jinja2 theme: templates and static files in one folder an operator can replace."""

import json
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from shared.article import Article
from shared.clock import human_datetime, month_name
from shared.pages.messages import messages
from shared.pages.theme_folder import theme_dir
from shared.settings import Settings
from shared.text import truncate_words
from shared.urls import UrlScheme

TEASER_CACHE_LIMIT = 50_000


def json_ld(data: Any) -> Markup:
    """JSON for a `<script type="application/ld+json">` block, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def cached_teaser(env: Environment) -> Callable[..., Markup]:
    """The `teaser(article, **options)` global: the `_teaser.html` macro, kept per saved state
    of an article (id, version and save time: a store restored empty counts versions from 1
    again), since an article's teaser is the same on every list page showing it."""
    cache: dict[tuple[Any, ...], Markup] = {}

    def teaser(article: Article, **options: Any) -> Markup:
        key = (article.id, article.version, article.modified_at, *sorted(options.items()))
        html = cache.get(key)
        if html is None:
            if len(cache) >= TEASER_CACHE_LIMIT:
                cache.clear()
            macro = env.get_template("_teaser.html").module.teaser  # type: ignore[attr-defined]
            html = cache[key] = macro(article, **options)
        return html

    return teaser


def make_environment(settings: Settings) -> Environment:
    """A Jinja environment for the theme, with the site's date and text filters."""
    env = Environment(
        loader=FileSystemLoader(theme_dir(settings) / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # no stat of every template per page; a theme change needs a restart
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
    env.globals["urls"] = UrlScheme.for_site(settings)
    env.globals["teaser"] = cached_teaser(env)
    env.globals["messages"] = messages(settings)
    env.globals["preview"] = False  # an editor's preview (ingest) says True
    return env

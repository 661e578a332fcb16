"""Allowlist HTML sanitizing of article bodies (nh3)."""

import re
from urllib.parse import urlsplit

import nh3

from shared.article import ArticleIn
from shared.markup.attribute_values import valid_value
from shared.markup.tag_repair import repair_tags

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "abbr": {"title"},
    "ol": {"start", "reversed"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
OFF_SITE_REL = "noopener noreferrer"
# Characters valid in XML but forbidden in HTML: C1 controls and noncharacters.
_FORBIDDEN = re.compile(
    "[\x80-\x9f\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
    + "]"
)


class _AttributeFilter:
    """nh3 attribute filter keeping valid values only (see attribute_values), and `rel` on links
    only when they lead to another site.

    nh3 calls the filter for each attribute of a tag in document order; the first pass puts
    `rel` after `href`, so the filter has seen a link's `href` when it meets its `rel`.
    """

    def __init__(self, site_host: str) -> None:
        self.site_host = site_host.lower()
        self.off_site = False

    def __call__(self, tag: str, attribute: str, value: str) -> str | None:
        kept = valid_value(tag, attribute, value)
        if tag != "a":
            return kept
        if attribute == "href":
            host = urlsplit(kept).hostname if kept else None
            self.off_site = host is not None and host.lower() != self.site_host
        elif attribute == "rel":
            keep, self.off_site = self.off_site, False
            return value if keep else None
        return kept


def sanitize_html(html: str, site_host: str = "") -> str:
    """The body with only allowlisted tags, attributes and URL schemes left.

    Links to other sites than `site_host` get `rel="noopener noreferrer"`; relative links and
    links to the site itself stay without it. Attribute values that are not valid HTML are
    dropped or repaired (attribute_values), then tags that still make a page invalid (tag_repair).
    """
    marked = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        set_tag_attribute_values={"a": {"rel": OFF_SITE_REL}},
        strip_comments=True,
    )
    cleaned = nh3.clean(
        marked,
        tags=TAGS,
        attributes=ATTRIBUTES | {"a": ATTRIBUTES["a"] | {"rel"}},
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=_AttributeFilter(site_host),
        strip_comments=True,
    )
    return repair_tags(_FORBIDDEN.sub("", cleaned))


def clean_article(article: ArticleIn, site_host: str = "") -> ArticleIn:
    """The article as it may be stored: its body sanitized (the API and the importer)."""
    return article.model_copy(update={"body_html": sanitize_html(article.body_html, site_host)})

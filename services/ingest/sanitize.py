"""Allowlist HTML sanitizing of article bodies (nh3)."""

import re
from urllib.parse import urlsplit

import nh3

from services.ingest.html_values import valid_value
from shared.article import ArticleIn

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
# Tags as nh3 writes them: every attribute `name="value"`, and `<` written `&lt;` in text and
# attribute values alike, so a `<` in its output always starts a tag.
_ATTRIBUTES = r'((?: [^\s="]+="[^"]*")*)'
_IMG_TAG = re.compile(rf"<img{_ATTRIBUTES}>")
_TIME_TAG = re.compile(rf"<time{_ATTRIBUTES}>|</time>")
_ATTRIBUTE_NAME = re.compile(r' ([^\s="]+)="[^"]*"')


class _AttributeFilter:
    """nh3 attribute filter keeping valid values only (see html_values), and `rel` on links
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
    dropped or repaired (html_values); an image without `alt` gets `alt=""` (nh3's
    `set_tag_attribute_values` would overwrite a given alt too), one without `src` is dropped.
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
    return _unwrap_bare_times(_IMG_TAG.sub(_complete_image, cleaned))


def _names(attributes: str) -> list[str]:
    """Names of the attributes of a tag nh3 wrote."""
    return _ATTRIBUTE_NAME.findall(attributes)


def _complete_image(tag: re.Match[str]) -> str:
    """An <img> nh3 wrote, given an empty `alt` when it has none; dropped without a `src`."""
    names = _names(tag[1])
    if "src" not in names:
        return ""
    return tag[0] if "alt" in names else f'<img{tag[1]} alt="">'


def _unwrap_bare_times(html: str) -> str:
    """The html with each <time> lacking a (valid, hence kept) `datetime` replaced by its
    content: a <time> without one must hold a valid date as its text."""
    out: list[str] = []
    kept: list[bool] = []
    last = 0
    for tag in _TIME_TAG.finditer(html):
        out.append(html[last : tag.start()])
        last = tag.end()
        keep = kept.pop() if tag[0] == "</time>" else "datetime" in _names(tag[1])
        if tag[0] != "</time>":
            kept.append(keep)
        if keep:
            out.append(tag[0])
    out.append(html[last:])
    return "".join(out)


def clean_article(article: ArticleIn, site_host: str = "") -> ArticleIn:
    """The article as it may be stored: its body sanitized (the API and the importer)."""
    return article.model_copy(update={"body_html": sanitize_html(article.body_html, site_host)})

"""Repairs of sanitized markup that attribute filters cannot make, so every page is valid.

nh3 writes every attribute as `name="value"` and escapes `<` in text and attribute values
alike, so in its output a `<` always starts a tag and these patterns match real tags only.
"""

import re

_ATTRIBUTES = r'((?: [^\s="]+="[^"]*")*)'
_IMG_OR_A = re.compile(rf"<(img|a){_ATTRIBUTES}>")
_TIME = re.compile(rf"<time{_ATTRIBUTES}>|</time>")
_ATTRIBUTE = re.compile(r' ([^\s="]+)="[^"]*"')


def repair_tags(html: str) -> str:
    """Sanitized html with an empty `alt` on images lacking one, images without `src`
    dropped, `hreflang` dropped from links without `href`, and each <time> lacking a
    `datetime` replaced by its content (it would have to hold a valid date as its text)."""
    return _unwrap_bare_times(_IMG_OR_A.sub(_complete, html))


def _names(attributes: str) -> list[str]:
    """Names of the attributes of a tag nh3 wrote."""
    return _ATTRIBUTE.findall(attributes)


def _complete(tag: re.Match[str]) -> str:
    """An <img> or <a> nh3 wrote, made valid."""
    name, attributes = tag[1], tag[2]
    names = _names(attributes)
    if name == "a":
        if "href" in names or "hreflang" not in names:
            return tag[0]
        kept = [a[0] for a in _ATTRIBUTE.finditer(attributes) if a[1] != "hreflang"]
        return f"<a{''.join(kept)}>"
    if "src" not in names:
        return ""
    return tag[0] if "alt" in names else f'<img{attributes} alt="">'


def _unwrap_bare_times(html: str) -> str:
    """The html with each <time> lacking a `datetime` replaced by its content."""
    out: list[str] = []
    kept: list[bool] = []
    last = 0
    for tag in _TIME.finditer(html):
        out.append(html[last : tag.start()])
        last = tag.end()
        keep = kept.pop() if tag[0] == "</time>" else "datetime" in _names(tag[1])
        if tag[0] != "</time>":
            kept.append(keep)
        if keep:
            out.append(tag[0])
    out.append(html[last:])
    return "".join(out)

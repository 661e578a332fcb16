"""Plain-text hygiene: what every title, name and summary goes through."""

import re
import unicodedata

# Characters XML 1.0 forbids (C0 controls but tab/newline/CR, surrogates, U+FFFE/U+FFFF).
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")


def xml_safe(value: str) -> str:
    """Drop the characters an XML document cannot carry."""
    return _XML_INVALID.sub("", value)


def plain_text(value: str) -> str:
    """NFC-normalize, strip XML-invalid characters and collapse white space."""
    return _SPACES.sub(" ", xml_safe(unicodedata.normalize("NFC", value))).strip()


def truncate_words(value: str, limit: int, ellipsis: str = "…") -> str:
    """Cut text to at most `limit` characters on a word boundary, marking the cut."""
    if len(value) <= limit:
        return value
    cut = value[: limit - len(ellipsis) + 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut[: limit - len(ellipsis)]
    return head.rstrip(" ,.;:–—-") + ellipsis

"""Readable Latin slugs for Russian and Kazakh text."""

import re
from functools import lru_cache

from slugify import slugify

# Kazakh letters unidecode drops or flattens, and Russian letters written the way
# Russian-language sites transliterate them in URLs.
_REPLACEMENTS = [
    ("ә", "a"),
    ("ғ", "g"),
    ("қ", "q"),
    ("ң", "ng"),
    ("ө", "o"),
    ("ұ", "u"),
    ("ү", "u"),
    ("һ", "h"),
    ("і", "i"),
    ("я", "ya"),
    ("ю", "yu"),
    ("й", "y"),
    ("ё", "yo"),
    ("х", "kh"),
    ("ц", "ts"),
    ("ъ", ""),
    ("ь", ""),
]
REPLACEMENTS = _REPLACEMENTS + [(a.upper(), b.capitalize()) for a, b in _REPLACEMENTS]

MAX_LENGTH = 80
_NUMBERED = re.compile(r"-[0-9]+$")


@lru_cache(maxsize=65536)  # slugify is slow, and names and tags repeat on every page
def make_slug(text: str, max_length: int = MAX_LENGTH) -> str:
    """A lowercase ASCII slug of `text`, cut on a word boundary; never empty."""
    slug = slugify(
        text,
        replacements=REPLACEMENTS,
        max_length=max_length,
        word_boundary=True,
        # Named, not "auto": "auto" tries to import the absent `unidecode` on every call.
        backend="text-unidecode",
    )
    return slug or "n-a"


def numbered(slug: str, n: int) -> str:
    """The `n`th slug tried for an article whose slug `slug` is taken (`slug-2`, `slug-3`…)."""
    return f"{slug}-{n}"


def unnumbered(slug: str) -> str:
    """`slug` without the number `numbered` may have appended."""
    return _NUMBERED.sub("", slug)

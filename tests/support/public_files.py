"""The files of a public folder, and whether two folders say the same."""

import json
import re
from pathlib import Path

from services.render.search_index import BUNDLE
from tests.support.search_files import indexed_urls

# Files that carry their own generation time: compared by content, not bytes.
NEWS_SITEMAP = "sitemaps/news.xml"
DATA_FILES = ("data/popular.json", "data/views.json")
# files_of's entry for the search index: the URLs of the pages it holds, as JSON.
SEARCH_INDEX = f"{BUNDLE}/(pages indexed)"


def files_of(root: Path) -> dict[str, bytes]:
    """Every file of a public folder by its relative path, dot paths left out; the search
    index, whose builds are named by the time they were made, as one entry: the pages it
    holds (SEARCH_INDEX)."""
    out = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        hidden = any(p.startswith(".") for p in relative.split("/"))
        if path.is_file() and not hidden and not relative.startswith(f"{BUNDLE}/"):
            out[relative] = path.read_bytes()
    if (root / BUNDLE).is_dir():
        out[SEARCH_INDEX] = json.dumps(sorted(indexed_urls(root))).encode()
    return out


def content(relative: str, data: bytes) -> object:
    """What a file says: its bytes, without the generation time of those that carry one."""
    if relative == NEWS_SITEMAP:
        return sorted(re.findall(rb"<url>.*?</url>", data))
    if relative in DATA_FILES:
        parsed = json.loads(data)
        if isinstance(parsed, dict):
            parsed.pop("generated_at", None)
        return parsed
    return data


def differences(expected: dict[str, bytes], found: dict[str, bytes]) -> list[str]:
    """Paths of the expected files missing from `found` or saying something else there."""
    return sorted(
        relative
        for relative, data in expected.items()
        if relative not in found or content(relative, found[relative]) != content(relative, data)
    )

"""The files of a public folder, and whether two folders say the same."""

import json
import re
from pathlib import Path

# Files that carry their own generation time: compared by content, not bytes.
NEWS_SITEMAP = "sitemaps/news.xml"
DATA_FILES = ("data/popular.json", "data/views.json")


def files_of(root: Path) -> dict[str, bytes]:
    """Every file of a public folder by its relative path, dot paths left out."""
    out = {}
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and not any(p.startswith(".") for p in relative.split("/")):
            out[relative] = path.read_bytes()
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

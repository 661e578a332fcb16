"""The search index as a reader can fetch it: the files under /pagefind/, as text."""

import gzip
import json
import os
from pathlib import Path

from services.render.search_index import BUNDLE, SHARDS


def index_texts(public: Path, under: str = f"/{BUNDLE}/") -> dict[str, str]:
    """Every file of the public search index under a site path (all of it: the builds listed
    in shards.json and those kept for readers still loading them), by site path; Pagefind's
    gzipped parts (`.pf_fragment`, `.pf_index`, `.pf_meta`) unpacked. Empty while there is
    no index."""
    texts = {}
    for folder, _, names in os.walk(public / under.strip("/")):
        for name in names:
            path = Path(folder, name)
            data = path.read_bytes()
            if path.suffix.startswith(".pf_"):
                data = gzip.decompress(data)
            site_path = "/" + path.relative_to(public).as_posix()
            texts[site_path] = data.decode("utf-8", "replace")
    return texts


def current_builds(public: Path) -> list[str]:
    """The site paths of the builds shards.json names now, newest month first."""
    listed = public / BUNDLE / SHARDS
    return [s["path"] for s in json.loads(listed.read_text())["shards"]] if listed.exists() else []


def indexed_urls(public: Path) -> set[str]:
    """The page URLs the index a reader opens now holds (its builds' fragments)."""
    return {
        json.loads(text.removeprefix("pagefind_dcd"))["url"]
        for build in current_builds(public)
        for url, text in index_texts(public, build).items()
        if url.endswith(".pf_fragment")
    }

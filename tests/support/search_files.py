"""The search index as a reader can fetch it: the files under /pagefind/, as text."""

import gzip
import json
import os
from pathlib import Path

from services.render.search_index import BUNDLE


def index_texts(public: Path) -> dict[str, str]:
    """Every file of the public search index by site path; Pagefind's gzipped parts
    (`.pf_fragment`, `.pf_index`, `.pf_meta`) unpacked. Empty while there is no index."""
    bundle = public / BUNDLE
    texts = {}
    for folder, _, names in os.walk(bundle, followlinks=True):  # each month's is a link
        for name in names:
            path = Path(folder, name)
            data = path.read_bytes()
            if path.suffix.startswith(".pf_"):
                data = gzip.decompress(data)
            texts[f"/{BUNDLE}/{path.relative_to(bundle).as_posix()}"] = data.decode(
                "utf-8", "replace"
            )
    return texts


def indexed_urls(public: Path) -> set[str]:
    """The page URLs the index's fragments hold."""
    return {
        json.loads(text.removeprefix("pagefind_dcd"))["url"]
        for url, text in index_texts(public).items()
        if url.endswith(".pf_fragment")
    }

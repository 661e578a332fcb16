"""Search index benchmark: build time, peak memory and size of the Pagefind index.

    .venv/bin/python bench/search.py                      # 10,000 and 100,000 article pages
    .venv/bin/python bench/search.py --sizes 2000 --words 300 --per-day 100

For each size a public folder of article pages is written (the theme's shape: the article in
`data-pagefind-body`, a masthead, menu, read-also and footer around it; bodies of `--words`
words drawn from the demo articles' vocabulary, plus a word of each page's own; `--per-day`
articles a day back from today), then indexed by `services.render.search_index.build_index`
as `newsroom rebuild` does (every month's shard) and as the render service does after a
publish (one month's shard: the fullest): timed, with the indexer's peak resident memory
(the largest finished child of this process: sizes run smallest first) and the index's size.
"""

import argparse
import html
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.render.search_index import BUNDLE, all_shards, article_glob, build_index  # noqa: E402
from shared.urls import UrlScheme  # noqa: E402

CHROME = "".join(f'<li><a href="/section/s{n}/">Раздел {n}</a></li>' for n in range(12))
PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/static/site.css"></head><body><header class="masthead">
<a class="brand" href="/">Newsroom</a><nav><ul>{chrome}</ul></nav></header><main>
<article class="article" data-pagefind-body><header><h1>{title}</h1>
<p class="byline"><a href="/author/a/">Автор Номер {author}</a></p></header>
<p class="lede">{lede}</p><div class="body">{body}</div></article>
<aside><ol>{related}</ol></aside></main><footer>{chrome}</footer></body></html>"""


def vocabulary() -> list[str]:
    """The words of the demo articles' titles, summaries and bodies."""
    words: list[str] = []
    for line in (ROOT / "demo/articles.jsonl").read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        text = " ".join(str(article.get(k, "")) for k in ("title", "summary", "body_html"))
        words += re.findall(r"[^\W\d_]{3,}", re.sub(r"<[^>]+>", " ", text))
    return words


def write_pages(root: Path, count: int, words: list[str], length: int, per_day: int) -> None:
    """`count` article pages under `root`, `per_day` a day back from today."""
    rng = random.Random(count)
    today = date.today()
    for n in range(count):
        day = today - timedelta(days=n // per_day)
        folder = root / f"{day:%Y/%m/%d}" / f"article-{n}"
        folder.mkdir(parents=True)
        text = rng.choices(words, k=length)
        paragraphs = [" ".join(text[i : i + 60]) for i in range(0, length, 60)]
        related = "".join(f'<li><a href="/x/{n}-{k}/">{words[k]}</a></li>' for k in range(5))
        page = PAGE.format(
            title=html.escape(" ".join(rng.choices(words, k=8)).capitalize()),
            author=n % 40,
            lede=html.escape(" ".join(rng.choices(words, k=25)) + f" слово{n}"),
            body="".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
            related=related,
            chrome=CHROME,
        )
        (folder / "index.html").write_text(page, encoding="utf-8")


def size_of(folder: Path) -> tuple[int, int]:
    """Bytes and files under a folder (following the shards' links)."""
    files = [Path(d, n) for d, _, names in os.walk(folder, followlinks=True) for n in names]
    return sum(p.stat().st_size for p in files), len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--words", type=int, default=400, help="words of each article body")
    parser.add_argument("--per-day", type=int, default=100, help="articles a day")
    args = parser.parse_args()
    words = vocabulary()
    print(f"vocabulary: {len(set(words))} distinct words; bodies of {args.words} words")
    for count in sorted(args.sizes):
        with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
            root = Path(tmp)
            started = time.monotonic()
            write_pages(root, count, words, args.words, args.per_day)
            written = time.monotonic() - started
            built = build_index(root, UrlScheme(timezone="Asia/Almaty"), "ru")
            peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            index_bytes, index_files = size_of(root / BUNDLE)
            urls = UrlScheme(timezone="Asia/Almaty")
            fullest = max(
                all_shards(root), key=lambda s: len(list(root.glob(article_glob(urls, s))))
            )
            after_publish = build_index(root, urls, "ru", {fullest})  # a publish, at worst
            print(
                f"{count:>7} pages (written in {written:.0f} s): all {built.shards} shards, "
                f"{built.pages} pages in {built.seconds:.1f} s; the fullest month's "
                f"{after_publish.pages} pages in {after_publish.seconds:.1f} s; peak memory "
                f"{peak_mib:.0f} MiB; index {index_bytes / 2**20:.0f} MiB in {index_files} files"
            )


if __name__ == "__main__":
    main()

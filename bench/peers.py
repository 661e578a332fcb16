"""The peers a full rebuild is compared with: Pelican 4.12 and Hugo, on the same articles.

Both build the corpus of bench/corpus.py with the same page kinds as Newsroom: the article,
paginated home, section, tag and author lists, year/month/day archives, and feeds of the site
and of every list carrying NEWSROOM_FEED_SIZE entries with full content. Pelican is installed
by `ensure_pelican` into its own virtualenv (.bench/pelican-venv); Hugo is Debian's `hugo`
(`scripts/bench all` installs it), with a small theme written here, its related content on or
off through the site's config.
"""

import shutil
import subprocess
import sys
import time
from pathlib import Path

from corpus import TEXT, corpus

from shared.settings import Settings
from shared.slugs import make_slug

ROOT = Path(__file__).resolve().parents[1]
PELICAN_VENV = ROOT / ".bench" / "pelican-venv"
PELICAN_VERSION = "4.12.*"

PELICAN_CONF = """
SITENAME = "Bench"
SITEURL = "https://bench.example"
PATH = "content"
TIMEZONE = "Asia/Almaty"
DEFAULT_LANG = "ru"
DEFAULT_PAGINATION = 20
LOAD_CONTENT_CACHE = False
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
MONTH_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/index.html"
DAY_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/index.html"
CATEGORY_URL = "section/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "author": None}
DIRECT_TEMPLATES = ["index"]
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = FEED_SIZE
RSS_FEED_SUMMARY_ONLY = False
FEED_ALL_ATOM = "feeds/atom.xml"
FEED_ALL_RSS = "feeds/rss.xml"
CATEGORY_FEED_ATOM = "section/{slug}/atom.xml"
CATEGORY_FEED_RSS = "section/{slug}/rss.xml"
TAG_FEED_ATOM = "tag/{slug}/atom.xml"
TAG_FEED_RSS = "tag/{slug}/rss.xml"
AUTHOR_FEED_ATOM = "author/{slug}/atom.xml"
AUTHOR_FEED_RSS = "author/{slug}/rss.xml"
TRANSLATION_FEED_ATOM = None
"""

HUGO_CONFIG = """
baseURL = "https://bench.example/"
languageCode = "ru"
title = "Bench"
paginate = {page_size}
timeZone = "Asia/Almaty"
[taxonomies]
tag = "tags"
author = "authors"
year = "years"
month = "months"
day = "days"
[services.rss]
limit = {feed_size}
[params]
related = {related}
[related]
threshold = 80
includeNewer = true
[[related.indices]]
name = "tags"
weight = 100
[[related.indices]]
name = "date"
weight = 10
[permalinks]
{permalinks}
"""

HUGO_LAYOUTS = {
    "_default/single.html": """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2006-01-02 15:04" }} · {{ delimit .Params.authors ", " }} ·
<a href="{{ .CurrentSection.RelPermalink }}">{{ .CurrentSection.Title }}</a></p>
<article>{{ .Content }}</article>
<ul>{{ range .GetTerms "tags" }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ if site.Params.related }}<h2>Читайте также</h2><ul>
{{ range first 5 (site.RegularPages.Related .) }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul>{{ end }}</body></html>
""",
    "_default/list.html": """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>
{{ $pager := .Paginate (cond .IsHome site.RegularPages .Pages) }}
{{ range $pager.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p>{{ .Summary }}</p></article>{{ end }}
{{ with $pager.Next }}<a href="{{ .URL }}">Ранее</a>{{ end }}</body></html>
""",
    "_default/rss.xml": """<rss version="2.0"><channel><title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
{{ range first site.Config.Services.RSS.Limit (cond .IsHome site.RegularPages .RegularPages) }}
<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" }}</pubDate>
<description>{{ .Content | html }}</description></item>{{ end }}
</channel></rss>
""",
}


def ensure_pelican(install: bool) -> Path | str:
    """The Pelican executable of the bench's virtualenv, installed there with pip when
    `install`; or why there is none."""
    pelican = PELICAN_VENV / "bin" / "pelican"
    if pelican.exists():
        return pelican
    if not install:
        return "not installed in .bench/pelican-venv (--quick installs nothing)"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(PELICAN_VENV)], check=True)
        pip = [str(PELICAN_VENV / "bin" / "pip"), "install", "--quiet"]
        subprocess.run([*pip, f"pelican=={PELICAN_VERSION}", "markdown"], check=True)
    except subprocess.CalledProcessError as e:
        shutil.rmtree(PELICAN_VENV, ignore_errors=True)
        return f"could not install Pelican {PELICAN_VERSION} with pip ({e})"
    return pelican


def hugo() -> str | None:
    """Hugo's executable, if installed."""
    return shutil.which("hugo")


def pelican_seconds(pelican: Path, count: int, workdir: Path) -> float:
    """Seconds Pelican takes to build `count` articles."""
    site = workdir / "pelican"
    content = site / "content"
    content.mkdir(parents=True)
    for article, local in corpus(count):
        (content / f"{article.slug}.md").write_text(
            f"Title: {article.title}\nDate: {local:%Y-%m-%d %H:%M}\nSlug: {article.slug}\n"
            f"Category: {article.section}\nTags: {', '.join(article.tags)}\n"
            f"Authors: {article.authors[0].name}\nSummary: {article.summary}\n\n{TEXT}\n",
            encoding="utf-8",
        )
    conf = PELICAN_CONF.replace("FEED_SIZE", str(Settings().feed_size))
    (site / "pelicanconf.py").write_text(conf, encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(
        [pelican, "content", "-o", "output", "-s", "pelicanconf.py", "-q"],
        cwd=site,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def write_hugo_site(site: Path, count: int) -> None:
    """The corpus as Hugo content (a folder per section), the theme's layouts and a config
    with related content off; `hugo_seconds` switches it."""
    for path, text in HUGO_LAYOUTS.items():
        (site / "layouts" / path).parent.mkdir(parents=True, exist_ok=True)
        (site / "layouts" / path).write_text(text, encoding="utf-8")
    sections = set()
    for article, local in corpus(count):
        section = make_slug(article.section)
        sections.add(section)
        folder = site / "content" / section
        folder.mkdir(parents=True, exist_ok=True)
        tags = ", ".join(f'"{t}"' for t in article.tags)
        (folder / f"{article.slug}.md").write_text(
            f'---\ntitle: "{article.title}"\ndate: {local.isoformat()}\nslug: {article.slug}\n'
            f'tags: [{tags}]\nauthors: ["{article.authors[0].name}"]\n'
            f'summary: "{article.summary}"\nyears: ["{local:%Y}"]\n'
            f'months: ["{local:%Y-%m}"]\ndays: ["{local:%Y-%m-%d}"]\n---\n{TEXT}\n',
            encoding="utf-8",
        )
    permalinks = "\n".join(f'{s} = "/:year/:month/:day/:slug/"' for s in sorted(sections))
    (site / "config.template").write_text(
        HUGO_CONFIG.replace("{permalinks}", permalinks)
        .replace("{page_size}", str(Settings().page_size))
        .replace("{feed_size}", str(Settings().feed_size)),
        encoding="utf-8",
    )


def hugo_seconds(executable: str, site: Path, related: bool) -> float:
    """Seconds Hugo takes to build the site written by `write_hugo_site`."""
    template = (site / "config.template").read_text(encoding="utf-8")
    (site / "config.toml").write_text(
        template.replace("{related}", "true" if related else "false"), encoding="utf-8"
    )
    output = site / "output"
    shutil.rmtree(output, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(
        [executable, "--quiet", "--source", str(site), "--destination", str(output)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def peer_rebuilds(count: int, workdir: Path, install: bool) -> dict[str, float | str]:
    """Seconds each peer takes to build `count` articles, or why it was skipped; Pelican is
    installed first when `install`."""
    results: dict[str, float | str] = {}
    pelican = ensure_pelican(install)
    if isinstance(pelican, Path):
        results["pelican"] = pelican_seconds(pelican, count, workdir)
    else:
        results["pelican"] = pelican
    executable = hugo()
    if executable is None:
        reason = "Debian's hugo is not installed (`scripts/bench all` installs it)"
        results["hugo related off"] = results["hugo related on"] = reason
    else:
        write_hugo_site(workdir / "hugo", count)
        for related in (False, True):
            name = f"hugo related {'on' if related else 'off'}"
            results[name] = hugo_seconds(executable, workdir / "hugo", related)
    return results

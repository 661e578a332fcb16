"""Every benchmark in one run, with the peers, written to bench/results.md.

    scripts/bench all [--repeat 3] [--quick] [--out bench/results.md]

Publish latency with the whole platform at 1,000 and 100,000 articles (bench/render.py), a full
rebuild of 20,000 articles beside Pelican 4.12 and Hugo with and without related content
(bench/peers.py), a 100,000-article archive imported end to end (bench/import_archive.py), and
the views figures (bench/views.py, bench/feeds.py) and a flood of junk views
(bench/views_flood.py). Publish latency at the smallest size and the views figures are measured
on a Redis Cluster too (bench/redis_kinds.py), reported beside one Redis's. Each figure is the
median and spread of `--repeat` runs, with issue 15's target. `--quick` runs small sizes once
(about two minutes), installs nothing and reports a peer that is not installed as skipped.
"""

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import feeds  # noqa: E402
import import_archive  # noqa: E402
import render  # noqa: E402
import views  # noqa: E402
import views_flood  # noqa: E402
from machine import facts  # noqa: E402
from peers import peer_rebuilds  # noqa: E402
from results import Section, Target, at_least, at_most, markdown, number  # noqa: E402

from shared.settings import Settings  # noqa: E402


@dataclass(frozen=True)
class Plan:
    """The sizes of one run."""

    publish_sizes: tuple[int, ...]
    samples: int
    rebuild: int
    archive: int
    wrk_seconds: int
    views: int
    junk: int


FULL = Plan((1_000, 100_000), 100, 20_000, 100_000, 10, 200_000, 200_000)
QUICK = Plan((100,), 5, 200, 100, 1, 5_000, 2_000)
CLUSTER = "cluster: "
"""The prefix of a figure measured on a Redis Cluster (3 masters, 3 replicas on loopback)."""
ON_A_CLUSTER = (
    " The `cluster:` figures are the same, measured in the same run with every service on a "
    "Redis Cluster (3 masters and 3 replicas, redis-server processes on loopback, "
    "NEWSROOM_REDIS_CLUSTER=true)."
)
CLUSTER_PUT = " There ingest answers a PUT once a replica has the article (WAIT)."
PUBLISH_TARGETS = {f"{kind} p50": at_most(15, "ms") for kind in ("article", "home")}
PUBLISH_TARGETS |= {f"{kind} p99": at_most(60, "ms") for kind in ("article", "home")}
PUBLISH_TARGETS["feeds p99"] = at_most(250, "ms")
PEERS = {"pelican": "Pelican 4.12", "hugo related off": "Hugo, related content off"}
PEERS["hugo related on"] = "Hugo, related content on"


def sections_for(plan: Plan) -> dict[str, Section]:
    """The sections of results.md, empty."""
    publish = {
        size: Section(
            f"Publish latency, {size:,} articles",
            "PUT accepted by ingest → file written, whole platform running (ingest, render, "
            f"feeds, site server); {plan.samples} publishes a run."
            + (ON_A_CLUSTER + CLUSTER_PUT if size == plan.publish_sizes[0] else ""),
        )
        for size in plan.publish_sizes
    }
    return {
        **{f"publish {size}": section for size, section in publish.items()},
        "rebuild": Section(
            f"Full rebuild, {plan.rebuild:,} articles",
            "The same articles and page kinds (article, paginated lists, archives, feeds), "
            "built by `newsroom rebuild`'s code and by the peers in the same run.",
        ),
        "import": Section(
            f"Archive import, {plan.archive:,} articles",
            "`newsroom import` with the whole platform running: stored → every page and feed "
            "written, every consumer group settled; peak RSS of each service.",
        ),
        "views": Section(
            "Views",
            "POST /api/views at ingest's port by wrk (rate limit off, ingest's default "
            "workers), views applied to rankings, and redis-benchmark's XADD (the ceiling, "
            "on one Redis)." + ON_A_CLUSTER,
        ),
        "flood": Section(
            f"Views flood, {plan.junk:,} junk views",
            "Junk views (made-up ids and visitors) in batches of 500 that each carry 10 real "
            "ones, 8 connections: the rates, and how much Redis grew once retention ran.",
        ),
    }


def run_once(plan: Plan, sections: dict[str, Section], install: bool, tmp: Path) -> None:
    """One run of every benchmark, its figures added to `sections`."""
    for size in plan.publish_sizes:
        step(f"publish latency at {size:,} articles")
        for name, ms in render.publish_figures(size, plan.samples, tmp / f"p{size}").items():
            sections[f"publish {size}"].add(name, "ms", ms)
    size = plan.publish_sizes[0]
    step(f"publish latency at {size:,} articles on a Redis Cluster")
    workdir = tmp / f"cluster-p{size}"
    for name, ms in render.publish_figures(size, plan.samples, workdir, cluster=True).items():
        sections[f"publish {size}"].add(CLUSTER + name, "ms", ms)
    step(f"full rebuild of {plan.rebuild:,} articles")
    rebuild = sections["rebuild"]
    figures = render.rebuild_figures(plan.rebuild, tmp, show_progress=False)
    rebuild.add("Newsroom", "s", figures["seconds"])
    rebuild.add("Newsroom: pages", "s", figures["pages seconds"])
    rebuild.add("Newsroom: feeds", "s", figures["feeds seconds"])
    rebuild.add("Newsroom: peak RSS of any process", "MB", figures["peak rss mb"])
    step("peers: Pelican and Hugo")
    for key, result in peer_rebuilds(plan.rebuild, tmp, install).items():
        if isinstance(result, str):
            rebuild.skipped[PEERS[key]] = result
        else:
            rebuild.add(PEERS[key], "s", result)
    step(f"import of {plan.archive:,} articles")
    archive = import_archive.figures(plan.archive, tmp / "import")
    imported = sections["import"]
    if not archive.pop("settled"):
        limit = import_archive.SETTLE_LIMIT_S
        imported.notes.append(f"did not settle within {limit} s: end to end is a lower bound")
    imported.add("stored", "s", archive.pop("stored seconds"))
    imported.add("end to end", "s", archive.pop("end to end seconds"))
    imported.add("end to end rate", "articles/s", archive.pop("articles/s end to end"))
    for name, mb in archive.items():
        imported.add(name.replace(" mb", "").replace("rss", "RSS"), "MB", mb)
    for prefix, cluster in (("", False), (CLUSTER, True)):
        step("views on a Redis Cluster" if cluster else "views")
        views_figures(plan, sections["views"], prefix, tmp / f"feeds{int(cluster)}", cluster)
    step(f"flood of {plan.junk:,} junk views")
    for name, value in views_flood.figures(plan.junk, 500, 8, tmp / "flood").items():
        sections["flood"].add(name, "%" if "growth" in name else "/s", value)


def views_figures(plan: Plan, section: Section, prefix: str, workdir: Path, cluster: bool) -> None:
    """The views figures of one Redis or (`cluster`) a Redis Cluster, named with `prefix`."""
    wrk = views.measure(plan.wrk_seconds, 64, Settings().ingest_workers, cluster)
    section.add(f"{prefix}single views at ingest", "req/s", wrk["single"]["rps"])
    section.add(f"{prefix}batched views at ingest", "views/s", wrk["batch100"]["views_per_s"])
    for name, rate in feeds.rates(feeds.make_views(plan.views), workdir, cluster).items():
        name = name.replace(" views/s", "").replace(" XADD/s", " XADD")
        section.add(prefix + name, "/s", rate)


def set_targets(sections: dict[str, Section]) -> None:
    """Issue 15's targets, the rebuild's as ratios to the peers of the same run."""
    for key, section in sections.items():
        if key.startswith("publish"):
            for name, figure in section.figures.items():
                figure.target = PUBLISH_TARGETS.get(name.removeprefix(CLUSTER))
    rebuild = sections["rebuild"].figures
    hugo, pelican = rebuild.get(PEERS["hugo related off"]), rebuild.get(PEERS["pelican"])
    bound_hugo = hugo.median / 2 if hugo else None
    bound_pelican = pelican.median / 10 if pelican else None

    def met(seconds: float) -> bool | None:
        checks = [seconds <= b for b in (bound_hugo, bound_pelican) if b is not None]
        return False if not all(checks) else (None if len(checks) < 2 else True)

    bounds = [
        f"≤ {text} ({number(bound, 's')})" if bound is not None else f"{text}: skipped"
        for text, bound in (("½ Hugo without related", bound_hugo), ("⅒ Pelican", bound_pelican))
    ]
    rebuild["Newsroom"].target = Target(" and ".join(bounds), met)
    rebuild["Newsroom: peak RSS of any process"].target = at_most(300, "MB")
    sections["import"].figures["end to end rate"].target = at_least(555, "articles/s")
    figures = sections["views"].figures
    for prefix in ("", CLUSTER):
        figures[f"{prefix}single views at ingest"].target = at_least(5_000, "req/s")
        figures[f"{prefix}batched views at ingest"].target = at_least(50_000, "views/s")
        figures[f"{prefix}feeds service"].target = at_least(30_000, "/s")


def step(what: str, started: float = time.perf_counter()) -> None:
    """Say what runs now, and since when the benchmarks run."""
    print(f"==> {time.perf_counter() - started:5.0f} s: {what}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of every benchmark")
    parser.add_argument("--quick", action="store_true", help="small sizes, one run")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args()
    plan, repeat = (QUICK, 1) if args.quick else (FULL, args.repeat)
    machine, started = facts(), time.perf_counter()
    sections = sections_for(plan)
    for n in range(repeat):
        step(f"run {n + 1} of {repeat}")
        with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
            run_once(plan, sections, not args.quick, Path(tmp))
    set_targets(sections)
    machine["Pelican"] = facts()["Pelican"]  # installed by the run itself, after the start
    minutes = (time.perf_counter() - started) / 60
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    command = shlex.join(["scripts/bench", "all", *sys.argv[1:]])
    heading = (
        f"# Benchmark results\n\n`{command}` at commit {commit or 'unknown'}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {repeat} run(s) of each benchmark, "
        f"{minutes:.1f} minutes in all. Medians and spreads are over the runs; "
        '"holds" compares the median with issue 15\'s target.'
    )
    if args.quick:
        heading += (
            "\n\n**Quick run (`--quick`)**: small sizes, one run, peers only if already "
            "installed; it checks that the harness works, and its figures are not the "
            "issue's (which need `scripts/bench all`)."
        )
    args.out.write_text(markdown(heading, machine, list(sections.values())), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

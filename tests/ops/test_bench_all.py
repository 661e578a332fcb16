"""`scripts/bench all --quick` runs every benchmark and writes every figure to its results
file, each present, positive and plausible, so the benchmarks cannot rot (issue 15); publish
latency and the views figures on a Redis Cluster too, beside one Redis's (issue 14)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.platform import ROOT
from tests.support.timing import scaled

LATENCIES = [
    f"{kind} {p}" for kind in ("article", "home", "section", "feeds") for p in ("p50", "p99")
]
VIEWS = ["single views at ingest", "batched views at ingest"]
# Measured on a Redis Cluster (3 masters, 3 replicas) in the same run, after one Redis's.
ON_THE_CLUSTER = {
    "Publish latency, 100 articles": LATENCIES,
    "Views": [*VIEWS, "ranking code", "feeds service"],
}
EXPECTED = {
    "Publish latency, 100 articles": LATENCIES,
    "Full rebuild, 200 articles": [
        "Newsroom",
        "Newsroom: pages",
        "Newsroom: feeds",
        "Newsroom: peak RSS of any process",
    ],
    "Archive import, 100 articles": [
        "stored",
        "end to end",
        "end to end rate",
        *(f"{service} peak RSS" for service in ("ingest", "render", "feeds")),
    ],
    "Views": [
        *VIEWS,
        "redis-benchmark XADD",
        "redis-benchmark XADD pipelined x16",
        "ranking code",
        "feeds service",
    ],
    "Views flood, 2,000 junk views": [
        "views sent/s",
        "real views counted/s",
        "Redis keys growth",
        "Redis memory growth",
    ],
}
PEERS = ("Pelican 4.12", "Hugo, related content off", "Hugo, related content on")
# Bounds a sane figure of the quick run lies within, by unit; rates only need to be positive,
# and Redis may shrink after a flood, not double.
PLAUSIBLE = {"ms": (0, 60_000), "s": (0, 60), "MB": (1, 4_000), "%": (-100, 100)}
MACHINE = ("CPU", "cores", "memory", "load average", "Python", "Redis", "nginx", "Hugo", "Pelican")


def sections(text: str) -> dict[str, str]:
    """Heading → body of each `## ` section."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def figures(body: str) -> dict[str, tuple[float, str, str]]:
    """Figure name → (median, unit, holds) of a section's table."""
    rows = {}
    for line in body.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] not in {"figure", "---"}:
            *digits, unit = cells[1].split()
            rows[cells[0]] = (float("".join(digits)), unit, cells[4])
    return rows


@pytest.mark.slow
def test_the_quick_run_writes_every_figure(tmp_path: Path):
    out = tmp_path / "results.md"
    subprocess.run(
        [sys.executable, "bench/all.py", "--quick", "--out", str(out)],
        cwd=ROOT,
        check=True,
        timeout=scaled(600),
    )
    text = out.read_text(encoding="utf-8")
    assert "Quick run" in text
    found = sections(text)
    for fact in MACHINE:
        assert re.search(rf"^\| {fact}[^|]* \| \S", found["Machine"], re.M), fact
    for title, names in EXPECTED.items():
        table = figures(found[title])
        names = names + [f"cluster: {name}" for name in ON_THE_CLUSTER.get(title, [])]
        assert list(table)[: len(names)] == names
        for name, (median, unit, holds) in table.items():
            low, high = PLAUSIBLE.get(unit, (0, float("inf")))
            assert low < median < high, (title, name, median, unit)
            assert holds in {"", "✔", "✘", "–"}
    rebuild = found["Full rebuild, 200 articles"]
    for peer in PEERS:  # measured when installed, else skipped with a reason
        assert peer in figures(rebuild) or re.search(rf"^- {peer}: skipped \(.+\)$", rebuild, re.M)

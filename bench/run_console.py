"""Run-console benchmark: log lines per second `newsroom run` turns into short lines and files.

Run from the repository root: `.venv/bin/python bench/run_console.py [--lines N]`.

A child process writes N JSON log lines (a consumer's `Received` record) as fast as it can;
the runner's LogConsole reads them from the pipe, keeps each whole in a file and writes its
short line to /dev/null. A rate far above what the services log keeps them from ever waiting
on a full pipe.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402

from newsroom.console_log import LogConsole  # noqa: E402

RECORD = {
    "ts": "2026-12-02T16:41:22.195439+00:00",
    "level": "info",
    "service": "feeds",
    "logger": "faststream.access.redis",
    "msg": "Received",
    "event_type": "ArticlePublished",
    "event_id": "aa050b0e320f4f819b2d30c7ed90060d",
    "article_id": "demo-001",
    "channel": "newsroom:articles",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=50_000)
    args = parser.parse_args()
    line = json.dumps(RECORD)
    writer = f"import sys\nfor _ in range({args.lines}): sys.stdout.write({line!r} + '\\n')"
    with tempfile.TemporaryDirectory() as folder, Path(os.devnull).open("w") as null:
        child = subprocess.Popen(
            [sys.executable, "-c", writer], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        logs = LogConsole(Path(folder), Console(file=null))
        started = time.monotonic()
        logs.follow("feeds", child.stdout, child.stderr)
        child.wait()
        logs.close(timeout=600)
        seconds = time.monotonic() - started
        files = Path(folder).glob("feeds.jsonl*")  # past 10 MB the file starts again
        kept = sum(1 for path in files for _ in path.open())
    print(f"{kept} of {args.lines} lines in {seconds:.2f} s: {kept / seconds:,.0f} lines/s")


if __name__ == "__main__":
    main()

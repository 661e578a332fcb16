"""Facts about the machine a benchmark ran on: CPU, cores, memory, versions, load."""

import os
import platform
import subprocess
from pathlib import Path

import psutil
from peers import PELICAN_VENV


def version(*command: str) -> str:
    """The first line a `--version`-like command prints, or "not installed"."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return "not installed"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo."""
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def facts() -> dict[str, str]:
    """What results.md says about the machine, taken when the benchmarks start."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB",
        "load average at start (1, 5, 15 min)": load,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Redis": version("redis-server", "--version"),
        "nginx": version("nginx", "-v"),
        "Hugo": version("hugo", "version"),
        "Pelican": version(str(PELICAN_VENV / "bin" / "pelican"), "--version"),
        "wrk": version("wrk", "--version"),
    }

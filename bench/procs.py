"""What the benchmarks read about processes: CPU time and peak memory."""

import contextlib
import resource
import threading
from pathlib import Path

import psutil


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def peak_rss_mb(pid: int) -> float:
    """The largest resident set (VmHWM) of a running process or any of its children, in MB."""
    peak = 0
    try:
        process = psutil.Process(pid)
        for p in (process, *process.children(recursive=True)):
            status = Path(f"/proc/{p.pid}/status").read_text(encoding="ascii")
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
    except (psutil.NoSuchProcess, FileNotFoundError):
        pass
    return peak / 1024


class PeakRss:
    """The largest resident set of this process or any of its children seen while in the
    `with` block, sampled every 50 ms in a thread (MB in `.mb`)."""

    def __init__(self) -> None:
        self.mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._done.wait(0.05):
            for p in (me, *me.children(recursive=True)):
                with contextlib.suppress(psutil.NoSuchProcess):
                    self.mb = max(self.mb, p.memory_info().rss / 2**20)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

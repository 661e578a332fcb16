"""Threads a test starts: what one raises fails the test, and waiting for them has a deadline."""

import threading
import time
from collections.abc import Callable, Iterable

from tests.support.timing import scaled


class Worker(threading.Thread):
    """A daemon thread that keeps what it raised, for `finish` to raise in the test's thread."""

    def __init__(self, target: Callable[..., object], *args: object) -> None:
        super().__init__(target=target, args=args, daemon=True)
        self.error: BaseException | None = None

    def run(self) -> None:
        """Run the target, keeping its exception instead of only printing it."""
        try:
            super().run()
        except BaseException as e:
            self.error = e


def finish(workers: Iterable[Worker], seconds: float) -> None:
    """Wait for every worker at most `seconds` (scaled) in all; fail if one still runs or
    raised, with its exception as the cause."""
    workers = list(workers)
    timeout = scaled(seconds)
    end = time.monotonic() + timeout
    for worker in workers:
        worker.join(max(0.0, end - time.monotonic()))
    running = [w.name for w in workers if w.is_alive()]
    assert not running, f"still running after {timeout:.0f} s: {running}"
    for worker in workers:
        if worker.error is not None:
            raise AssertionError(f"{worker.name} raised {worker.error!r}") from worker.error

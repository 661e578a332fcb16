"""Runs the platform's processes and restarts any that dies, with backoff."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

MAX_BACKOFF = 30.0
# Takes a child's name, stdout and stderr and reads them (newsroom/console_log.py).
Follow = Callable[[str, IO[bytes], IO[bytes]], None]


@dataclass
class Child:
    """One supervised process."""

    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    backoff: float = 0.5
    restart_at: float = 0.0
    started_at: float = field(default=0.0)

    def start(self, env: dict[str, str], follow: Follow | None = None) -> None:
        """Start (or restart) the process; its output goes to `follow`, else to ours."""
        pipe = subprocess.PIPE if follow else None
        self.process = subprocess.Popen(self.argv, env=env, stdout=pipe, stderr=pipe)
        self.started_at = time.monotonic()
        if follow:
            assert self.process.stdout is not None and self.process.stderr is not None
            follow(self.name, self.process.stdout, self.process.stderr)


def service(name: str) -> Child:
    """A child running `python -m services.<name>`."""
    return Child(name, [sys.executable, "-m", f"services.{name}"])


class Supervisor:
    """Keeps children running until stopped; a child that dies is restarted after a backoff.

    With `follow`, the children's output is piped to it rather than shared with ours.
    """

    def __init__(
        self, children: list[Child], env: dict[str, str], follow: Follow | None = None
    ) -> None:
        self.children = children
        self.env = env
        self.follow = follow
        self.stopping = False

    def start(self) -> None:
        """Start every child."""
        for child in self.children:
            child.start(self.env, self.follow)

    def watch(self, log: Callable[[str], None]) -> None:
        """Restart dead children until SIGINT or SIGTERM."""
        signal.signal(signal.SIGTERM, lambda *_: self._stop())
        try:
            while not self.stopping:
                self._tick(log)
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
        self.stop()

    def _stop(self) -> None:
        self.stopping = True

    def _tick(self, log: Callable[[str], None]) -> None:
        now = time.monotonic()
        for child in self.children:
            assert child.process is not None
            if child.process.poll() is None:
                if now - child.started_at > 60:
                    child.backoff = 0.5
                continue
            if child.restart_at == 0.0:
                log(
                    f"{child.name} exited with {child.process.returncode}; "
                    f"restarting in {child.backoff:.1f}s"
                )
                child.restart_at = now + child.backoff
            elif now >= child.restart_at:
                child.start(self.env, self.follow)
                child.restart_at = 0.0
                child.backoff = min(child.backoff * 2, MAX_BACKOFF)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every child, then SIGKILL those still running after `timeout`."""
        for child in reversed(self.children):
            if child.process and child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in reversed(self.children):
            if child.process is None:
                continue
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.kill(child.process.pid, signal.SIGKILL)
                child.process.wait()

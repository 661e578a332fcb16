"""The local supervisor (newsroom run): a child that dies comes back, with a growing backoff."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.platform import ROOT, wait_for
from tests.support.timing import scaled

# A supervisor of one child that records its pid in a folder, then sleeps.
SUPERVISE = """
import sys
from newsroom.supervisor import Child, Supervisor
child = Child("sleeper", [sys.executable, "-c", sys.argv[2], sys.argv[1]])
supervisor = Supervisor([child], {"PATH": ""})
supervisor.start()
supervisor.watch(lambda line: print(line, flush=True))
"""
CHILD = """
import os, pathlib, sys, time
pathlib.Path(sys.argv[1], str(os.getpid())).touch()
time.sleep(600)
"""


def pids(folder: Path) -> list[int]:
    return sorted(
        (int(p.name) for p in folder.iterdir()),
        key=lambda pid: (folder / str(pid)).stat().st_mtime_ns,
    )


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_child_is_restarted_and_stopped_with_the_supervisor(tmp_path: Path):
    supervisor = subprocess.Popen(
        [sys.executable, "-c", SUPERVISE, str(tmp_path), CHILD],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = wait_for(lambda: pids(tmp_path), timeout=10)[0]

        # The child is killed: it comes back after the first backoff (0.5 s)...
        os.kill(first, signal.SIGKILL)
        second = wait_for(lambda: len(found := pids(tmp_path)) == 2 and found[1], timeout=5)
        assert second != first and alive(second)

        # ...and, killed again at once, after a doubled one (1 s).
        killed = time.monotonic()
        os.kill(second, signal.SIGKILL)
        third = wait_for(lambda: len(found := pids(tmp_path)) == 3 and found[2], timeout=5)
        assert time.monotonic() - killed >= 0.9 and alive(third)

        # SIGTERM to the supervisor stops the child with it.
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(scaled(20)) == 0
        wait_for(lambda: not alive(third), timeout=5)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    log = supervisor.stdout.read() if supervisor.stdout else ""
    assert "sleeper exited with -9; restarting in 0.5s" in log
    assert "sleeper exited with -9; restarting in 1.0s" in log

"""A consumer whose stop hangs exits all the same, and says where it hung."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from newsroom.ports import free_port
from tests.support.platform import wait_for
from tests.support.timing import scaled

ROOT = Path(__file__).resolve().parents[2]


def test_a_stop_that_hangs_ends_the_process_with_1_at_the_deadline(redis_url: str, tmp_path: Path):
    # A consumer runs a step that swallows its cancellation: without the deadline, SIGTERM
    # would leave it running for ever after "shut down gracefully".
    log = tmp_path / "stubborn.log"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "NEWSROOM_STOP_DEADLINE_S": "2",
        "NEWSROOM_METRICS_PORT": str(free_port()),
        "NEWSROOM_PUBLIC_DIR": str(tmp_path / "public"),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.stubborn_service"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(lambda: "stubborn step started" in log.read_text(), timeout=30)
        process.send_signal(signal.SIGTERM)

        # It stops as far as it can, then the deadline ends it with 1.
        assert process.wait(scaled(30)) == 1
    finally:
        process.kill()
    text = log.read_text()
    assert "stubborn step cancelled; going on" in text
    assert "still running 2 s after the stop; exiting with 1" in text
    # Its last words say where it waited: in the stubborn step.
    assert "stubborn_step (stubborn_service.py:" in text

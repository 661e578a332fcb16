"""Running a command in a pseudo-terminal, as in a developer's terminal window."""

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

from tests.support.timing import scaled


def run_in_terminal(
    argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 60, columns: int = 120
) -> tuple[int, str]:
    """Run `argv` with a terminal `columns` wide as stdin, stdout and stderr; its exit code and
    everything it wrote (escape codes included). Fails after `timeout` seconds (scaled)."""
    main, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    child = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**env, "TERM": "xterm-256color"},
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
    )
    os.close(secondary)
    deadline = time.monotonic() + scaled(timeout)
    output = bytearray()
    try:
        while time.monotonic() < deadline:
            if select.select([main], [], [], 0.1)[0]:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # EIO: the command and its children closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
        else:
            child.kill()
            raise AssertionError(f"{argv} did not finish within {scaled(timeout)}s: {output!r}")
    finally:
        os.close(main)
    return child.wait(scaled(10)), output.decode("utf-8", "replace")

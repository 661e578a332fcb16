"""What a running `newsroom run` leaves in its state folder for the other commands: `run.json`.

The runner writes it atomically once its Redis is up and removes it when it stops; a file
whose runner is gone (killed, machine restarted) is recognised as stale by its pid.
"""

import json
import os
import re
import tempfile
from collections.abc import MutableMapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_STATE = Path(".newsroom")  # the runner's state folder, where other commands look
RUN_FILE = "run.json"
REDIS_URL_NAMES = ("REDIS_URL", "NEWSROOM_REDIS_URL")
# The settings the runner decides for its services, which the other commands then share.
SHARED_ENV = ("REDIS_URL", "NEWSROOM_REDIS_CLUSTER", "NEWSROOM_PUBLIC_DIR", "NEWSROOM_SITE_URL")


@dataclass(frozen=True)
class RunState:
    """One running `newsroom run`: its pid and the settings it gave its services."""

    pid: int
    started_at: str
    env: dict[str, str]

    @property
    def redis_url(self) -> str:
        """The Redis the runner's services use."""
        return self.env["REDIS_URL"]


def write_run_state(state: Path, env: dict[str, str]) -> RunState:
    """Record this process as the runner of `state` (mode 0600: a Redis URL may hold a password)."""
    run = RunState(
        pid=os.getpid(),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        env={name: env[name] for name in SHARED_ENV if name in env},
    )
    fd, temporary = tempfile.mkstemp(dir=state, prefix=".run-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:  # mkstemp makes it 0600
        json.dump(asdict(run), f, indent=2)
    Path(temporary).replace(state / RUN_FILE)
    return run


def remove_run_state(state: Path) -> None:
    """Remove `run.json` if this process wrote it."""
    run = read_run_state(state)
    if run is not None and run.pid == os.getpid():
        (state / RUN_FILE).unlink(missing_ok=True)


def read_run_state(state: Path) -> RunState | None:
    """What `state/run.json` says, or None when it is missing or unreadable."""
    try:
        data = json.loads((state / RUN_FILE).read_text(encoding="utf-8"))
        run = RunState(int(data["pid"]), str(data["started_at"]), dict(data["env"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return run if "REDIS_URL" in run.env else None


def is_running(run: RunState) -> bool:
    """Whether the runner that wrote `run` is still alive (its pid exists)."""
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True


def use_runner_settings(state: Path, environ: MutableMapping[str, str]) -> str:
    """Unless `environ` names a Redis, give it the settings of the runner of `state` (if one
    runs); return a line saying which Redis this process talks to, and why, without password.
    """
    for name in REDIS_URL_NAMES:
        if environ.get(name):
            return f"Redis: {redacted(environ[name])} (from {name})"
    path = state / RUN_FILE
    run = read_run_state(state)
    if run is not None and is_running(run):
        for name, value in run.env.items():
            if not environ.get(name):
                environ[name] = value
        origin = f"from {path}, started by newsroom run, pid {run.pid}"
        return f"Redis: {redacted(run.redis_url)} ({origin})"
    from shared.settings import Settings  # here: the CLI's other commands start faster

    why = f"{path} is stale: pid {run.pid} is not running" if run else f"no {path}"
    default = Settings.model_fields["redis_url"].default
    return f"Redis: {default} (default: REDIS_URL is unset and {why})"


def redacted(url: str) -> str:
    """`url` with any password in it (user info or `password=` parameter) shown as `***`."""
    password = urlsplit(url).password
    if password is not None:
        url = url.replace(f":{password}@", ":***@", 1)
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url)

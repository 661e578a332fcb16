"""`newsroom run`: Redis, the three services and a site server on one machine.

With REDIS_URL set it starts no Redis and points every service at that one; with
NEWSROOM_REDIS_CLUSTER=true too, REDIS_URL names a node of a Redis Cluster it is given (the
runner never starts a cluster)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from rich.console import Console

from newsroom.console_log import LogConsole
from newsroom.demo import copy_demo_images, load_demo
from newsroom.embedded_redis import start_redis
from newsroom.run_state import (
    DEFAULT_STATE,
    is_running,
    read_run_state,
    remove_run_state,
    write_run_state,
)
from newsroom.supervisor import Child, Supervisor, service
from newsroom.tokens import new_token, write_private
from shared.api_tokens import parse_tokens
from shared.keyspace import ALL
from shared.redis_client import open_sync_redis
from shared.settings import Settings
from shared.site_manifest import read_manifest

console = Console(soft_wrap=True)  # a long line stays one line in a log file
LOCAL_NAME = "local"  # the name the runner's own token writes are recorded under


class StateInUseError(RuntimeError):
    """Another `newsroom run` is running with the same state folder."""


class ClusterUrlMissingError(RuntimeError):
    """NEWSROOM_REDIS_CLUSTER is set without REDIS_URL: the runner starts no cluster."""


def _settings(env: dict[str, str]) -> Settings:
    """The settings the services get from `env`."""
    return Settings(
        redis_url=env["REDIS_URL"],
        redis_cluster=env.get("NEWSROOM_REDIS_CLUSTER") or False,
    )


def _store_is_empty(env: dict[str, str]) -> bool:
    """Whether the store the services use holds no article."""
    with open_sync_redis(_settings(env)) as client:
        return not client.exists(ALL)


def _secret(path: Path) -> str:
    """The secret kept in `path` (mode 0600), made on the first run."""
    if not path.exists():
        write_private(path, new_token(LOCAL_NAME).secret)
    path.chmod(0o600)  # a file an older version wrote readable by all
    return path.read_text().strip()


def api_token(env: dict[str, str], state: Path) -> str:
    """The secret the runner loads the demo with: the first configured token, else its own."""
    configured = parse_tokens(env.get("NEWSROOM_API_TOKENS", ""))
    if configured:
        return configured[0].secret
    secret = _secret(state / "token")
    env["NEWSROOM_API_TOKENS"] = f"{LOCAL_NAME}:{secret}"
    return secret


def _wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready")


def run(state: Path, site_port: int, ingest_port: int, demo: bool, json_logs: bool) -> None:
    """Start everything, load the demo content into an empty store, and wait for Ctrl-C.

    The services' logs go, as short lines, to the terminal and, whole, to `state/logs/`;
    with `json_logs`, as they are to the terminal. Raises WeakTokenError, StateInUseError
    or ClusterUrlMissingError, before starting anything, when a configured token is weak,
    `state` is in use or a cluster is asked for without its REDIS_URL.
    """
    # Ctrl-C (SIGINT) stops everything even when the runner was started with SIGINT ignored,
    # as a shell without job control starts a background command.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    state.mkdir(parents=True, exist_ok=True)
    other = read_run_state(state)
    if other is not None and is_running(other):
        raise StateInUseError(f"newsroom run (pid {other.pid}) already runs with {state}")
    env = dict(os.environ)
    if Settings().redis_cluster and not env.get("REDIS_URL"):
        raise ClusterUrlMissingError(
            "NEWSROOM_REDIS_CLUSTER=true needs REDIS_URL naming a node of the cluster"
        )
    token = api_token(env, state)
    env["NEWSROOM_PREVIEW_SECRET"] = env.get("NEWSROOM_PREVIEW_SECRET") or _secret(
        state / "preview-secret"
    )
    redis_process: subprocess.Popen[bytes] | None = None
    if not env.get("REDIS_URL"):
        redis_process, env["REDIS_URL"] = start_redis(state / "redis")
        console.print(f"[dim]embedded redis at {env['REDIS_URL']} (data in {state}/redis)[/]")
    env.setdefault("NEWSROOM_PUBLIC_DIR", str((state / "public").resolve()))
    env.setdefault("NEWSROOM_MEDIA_DIR", str((state / "media").resolve()))
    env.setdefault("NEWSROOM_SITE_URL", f"http://127.0.0.1:{site_port}")
    env["NEWSROOM_INGEST_PORT"] = str(ingest_port)
    env["NEWSROOM_SITE_PORT"] = str(site_port)
    if demo:  # before render and feeds start: a folder they rebuild gets the images too
        copy_demo_images(Path(env["NEWSROOM_PUBLIC_DIR"]))
    site = Child("site", [sys.executable, "-m", "newsroom.siteserver"])
    logs = None if json_logs else LogConsole(state / "logs", console)
    children = [service("ingest"), service("render"), service("feeds"), site]
    supervisor = Supervisor(children, env, logs.follow if logs else None)
    write_run_state(state, env)
    supervisor.start()
    try:
        _wait_ready(f"http://127.0.0.1:{ingest_port}/api/ready")
        _wait_ready(f"http://127.0.0.1:{site_port}/api/health")
        public = Path(env["NEWSROOM_PUBLIC_DIR"])
        if demo and _store_is_empty(env):
            site = read_manifest(public, "render")
            if site is not None and (site.store or site.refused):
                console.print(
                    f"[bold red]the store is empty but {public} holds a site of another store:"
                    " no demo loaded, nothing deleted (see `newsroom stats`)[/]"
                )
            else:
                count = load_demo(f"http://127.0.0.1:{ingest_port}", token, public)
                console.print(f"loaded {count} demo articles")
        console.print(f"[bold green]Newsroom is up:[/] http://127.0.0.1:{site_port}/")
        console.print(f"API docs (with the token): http://127.0.0.1:{site_port}/api/docs")
        if logs is not None:
            console.print(f"Logs: {logs.folder}/<service>.jsonl (--json-logs: here, as JSON)")
        if state.name == DEFAULT_STATE.name:  # where the other commands look for it
            here = state.parent.resolve()
            console.print(f"Commands run from {here} (newsroom stats, import…) use this Redis")
        console.print(f"API token: [bold]{token}[/]   (Ctrl-C stops everything)")
        supervisor.watch(console.print)
    except KeyboardInterrupt:
        pass  # Ctrl-C before the watch began stops everything all the same
    finally:
        supervisor.stop()
        if logs is not None:
            logs.close()
        remove_run_state(state)
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(10)
        console.print("stopped")

"""`python -m services.ingest`: serve the ingest API."""

import ctypes
import logging
import os
import signal
import sys
import tempfile

import uvicorn
from fastapi import FastAPI

from services.ingest.app import create_app
from shared.api_tokens import WeakTokenError
from shared.logs import setup_logging
from shared.settings import Settings, get_settings

SUPERVISOR_VARIABLE = "NEWSROOM_INGEST_SUPERVISOR"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def worker_app() -> FastAPI:
    """The app of one worker process, logging as ingest does (uvicorn starts each worker in
    a fresh process: the logging set up by `main` is not there)."""
    setup_logging("ingest")
    follow_supervisor()
    return create_app()


def follow_supervisor() -> None:
    """In a worker of several, stop (SIGTERM, a graceful stop) when the supervisor that
    started it dies, even by SIGKILL: no worker, scheduler and all, outlives its ingest."""
    supervisor = os.environ.get(SUPERVISOR_VARIABLE)
    if supervisor is None or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != int(supervisor):  # it died before the line above: nothing will tell
        os.kill(os.getpid(), signal.SIGTERM)


def main() -> None:
    """Run the API on the configured address, in NEWSROOM_INGEST_WORKERS processes.

    Exits non-zero, naming the setting, when a configured token is weak.
    """
    settings = get_settings()
    setup_logging("ingest")
    try:
        tokens = settings.tokens
    except WeakTokenError as e:
        sys.exit(f"ingest refuses to start: {e}")
    if not tokens:
        logging.getLogger("ingest").warning(
            "NEWSROOM_API_TOKENS is empty: every editorial call is refused (401)"
        )
    with tempfile.TemporaryDirectory(prefix="ingest-metrics-") as metrics_dir:
        if settings.ingest_workers > 1:  # the workers' metrics, summed by any of them
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
            os.environ[SUPERVISOR_VARIABLE] = str(os.getpid())
        serve(settings)


def serve(settings: Settings) -> None:
    """Serve the API with uvicorn, in the configured number of worker processes."""
    uvicorn.run(
        "services.ingest.__main__:worker_app",
        factory=True,
        host=settings.ingest_host,
        port=settings.ingest_port,
        workers=settings.ingest_workers,
        loop="uvloop",
        http="httptools",
        proxy_headers=False,  # the app applies NEWSROOM_TRUSTED_PROXIES itself
        access_log=False,
        log_config=None,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()

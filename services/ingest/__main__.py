"""`python -m services.ingest`: serve the ingest API."""

import logging
import sys

import uvicorn
from fastapi import FastAPI

from services.ingest.app import create_app
from shared.api_tokens import WeakTokenError
from shared.logs import setup_logging
from shared.settings import get_settings


def worker_app() -> FastAPI:
    """The app of one worker process, logging as ingest does (uvicorn starts each worker in
    a fresh process: the logging set up by `main` is not there)."""
    setup_logging("ingest")
    return create_app()


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

"""`python -m services.ingest`: serve the ingest API."""

import uvicorn

from shared.logs import setup_logging
from shared.settings import get_settings


def main() -> None:
    """Run the API on the configured address, in NEWSROOM_INGEST_WORKERS processes."""
    settings = get_settings()
    setup_logging("ingest")
    uvicorn.run(
        "services.ingest.app:create_app",
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

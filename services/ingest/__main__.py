"""`python -m services.ingest`: serve the ingest API."""

import uvicorn

from services.ingest.app import create_app
from shared.logs import setup_logging
from shared.settings import get_settings


def main() -> None:
    """Run the API on the configured address."""
    settings = get_settings()
    setup_logging("ingest")
    uvicorn.run(
        create_app(settings),
        host=settings.ingest_host,
        port=settings.ingest_port,
        log_config=None,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()

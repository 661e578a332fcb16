"""`python -m services.feeds`: run the feeds consumer."""

import asyncio

from shared.logs import setup_logging


def main() -> None:
    """Start consuming article and view events."""
    setup_logging("feeds")
    from services.feeds.app import app

    asyncio.run(app.run())


if __name__ == "__main__":
    main()

"""`python -m services.feeds`: run the feeds consumer."""

import asyncio

from shared.consumer_ops import instrument
from shared.topology import FEEDS_GROUP


def main() -> None:
    """Start consuming, with JSON logs, metrics and /health, /ready, /metrics on port 9102."""
    from services.feeds.app import app, broker

    instrument(app, broker, service="feeds", group=FEEDS_GROUP, default_port=9102)
    asyncio.run(app.run())


if __name__ == "__main__":
    main()

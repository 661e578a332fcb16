"""`python -m services.render`: run the render consumer."""

import asyncio

from shared.consumer_ops import instrument
from shared.topology import RENDER_GROUP


def main() -> None:
    """Start consuming, with JSON logs, metrics and /health, /ready, /metrics on port 9101."""
    from services.render.app import app, broker

    instrument(app, broker, service="render", group=RENDER_GROUP, default_port=9101)
    asyncio.run(app.run())


if __name__ == "__main__":
    main()

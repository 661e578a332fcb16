"""`python -m services.render`: run the render consumer."""

import asyncio

from shared.logs import setup_logging


def main() -> None:
    """Start consuming article events."""
    setup_logging("render")
    from services.render.app import app

    asyncio.run(app.run())


if __name__ == "__main__":
    main()

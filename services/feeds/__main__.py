"""`python -m services.feeds`: run the feeds consumer."""

import asyncio
import sys

from shared.logs import setup_logging


def main() -> None:
    """Consume article and view events; exit non-zero when Redis stayed away too long."""
    setup_logging("feeds")
    from services.feeds.app import main as consume

    sys.exit(asyncio.run(consume()))


if __name__ == "__main__":
    main()

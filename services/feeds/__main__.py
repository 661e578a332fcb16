"""`python -m services.feeds`: run the feeds consumer."""

import asyncio
import sys

from shared.logs import setup_logging


def main() -> None:
    """Run the feeds app; exit non-zero when it cannot recover (Redis gone, groups lost)."""
    setup_logging("feeds")
    from services.feeds.app import main as consume

    sys.exit(asyncio.run(consume()))


if __name__ == "__main__":
    main()

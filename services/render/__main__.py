"""`python -m services.render`: run the render consumer."""

import asyncio
import sys

from shared.logs import setup_logging


def main() -> None:
    """Consume article events; exit non-zero when Redis stayed away too long."""
    setup_logging("render")
    from services.render.app import main as consume

    sys.exit(asyncio.run(consume()))


if __name__ == "__main__":
    main()

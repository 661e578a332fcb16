"""`python -m services.render`: run the render consumer."""

import asyncio
import sys

from shared.logs import setup_logging


def main() -> None:
    """Run the render app; exit non-zero when it cannot recover (Redis gone, groups lost)."""
    setup_logging("render")
    from services.render.app import main as consume

    sys.exit(asyncio.run(consume()))


if __name__ == "__main__":
    main()

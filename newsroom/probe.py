"""`python -m newsroom.probe URL`: exit 0 if URL answers 2xx, else 1 (container healthchecks)."""

import sys
import urllib.request


def probe(url: str, timeout: float = 3.0) -> bool:
    """Whether `url` answers a GET with a 2xx status in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if probe(sys.argv[1]) else 1)

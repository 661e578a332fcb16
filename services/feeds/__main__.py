"""`python -m services.feeds`: run the feeds consumer."""

from shared.consuming.service import serve


def main() -> None:
    """Consume with JSON logs, and /health, /ready, /metrics on port 9102; exit non-zero
    when it cannot recover (Redis gone, groups lost), so a supervisor restarts it."""
    from services.feeds.app import create_app

    serve(create_app, default_port=9102)


if __name__ == "__main__":
    main()

"""Structured JSON logs, one object per line."""

import json
import logging
import sys
from datetime import UTC, datetime

_FIELDS = ("event_id", "article_id", "event_type", "method", "path", "status", "ms")


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line with the context fields it carries."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON."""
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line |= {k: getattr(record, k) for k in _FIELDS if hasattr(record, k)}
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def setup_logging(service: str, level: int = logging.INFO) -> None:
    """Send every log record of the process to stderr as JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    logging.basicConfig(level=level, handlers=[handler], force=True)

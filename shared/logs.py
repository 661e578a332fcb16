"""Structured JSON logs, one object per line, with the event being handled on every line."""

import json
import logging
import sys
from collections.abc import Callable
from datetime import UTC, datetime

# What every record has; anything else on a record came in `extra=` and is written out.
_RECORD_ATTRIBUTES = {*vars(logging.makeLogRecord({})), "message", "asctime"}
# FastStream's loggers: they do not propagate, so they get the JSON handler themselves.
_FASTSTREAM_LOGGERS = ("faststream", "faststream.access.redis")

EventFields = Callable[[], dict[str, str]]


def _no_event() -> dict[str, str]:
    return {}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line with the fields given in `extra=`."""

    def __init__(self, service: str, current_event: EventFields = _no_event) -> None:
        super().__init__()
        self.service = service
        self.current_event = current_event

    def format(self, record: logging.LogRecord) -> str:
        """The record as JSON; fields of the event being handled fill in what it lacks."""
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line |= self.current_event()
        line |= {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRIBUTES}
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def setup_logging(
    service: str, level: int = logging.INFO, current_event: EventFields = _no_event
) -> None:
    """Send every log record of the process, FastStream's too, to stdout as JSON.

    `current_event` returns the fields (event_id, article_id…) of the event being handled.
    """
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service, current_event))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in _FASTSTREAM_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.propagate = False

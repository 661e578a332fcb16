"""What a consumer's logs and metrics say about the event it handles.

`instrument()` adds to a broker, without touching its handlers: FastStream's Prometheus
middleware (latency histograms per stream and event type) and JSON log lines carrying the
event id and article id. Events handled and failed by type are counted where their outcome
is known, in shared.consuming.delivery; the HTTP side is shared.consuming.http.
"""

import json
from collections.abc import Callable
from typing import Any

from faststream.redis import RedisBroker
from faststream.redis.prometheus import RedisPrometheusMiddleware
from prometheus_client import REGISTRY

from shared.events import DATA_FIELD
from shared.logs import setup_logging

_DECODER = json.JSONDecoder()


def event_fields(body: bytes | str) -> dict[str, str]:
    """Log fields of a message: type, and for a single event its event id and article id.

    Of a batch (a JSON array of whole events) only the first event is decoded: a log line
    names the batch's type, and decoding hundreds of events per line would cost more than
    handling them.
    """
    text = (body.decode(errors="replace") if isinstance(body, bytes) else body).strip()
    try:
        if text.startswith("["):
            rest = text[1:].lstrip()
            first, end = _DECODER.raw_decode(rest)
            single = rest[end:].strip() == "]"
        else:
            first, single = json.loads(text), True
    except ValueError:
        return {}
    if not isinstance(first, dict):
        return {}
    fields = {"event_type": str(first.get("type", "unknown"))}
    if single:
        fields |= {k: str(first[k]) for k in ("event_id", "article_id") if k in first}
    return fields


def event_type_of_raw(raw: Any) -> str:
    """Event type of a raw Redis stream message (a batch reports its first entry's type)."""
    data = raw.get("data") if isinstance(raw, dict) else None
    entries = data if isinstance(data, list) else [data]
    first = entries[0] if entries and isinstance(entries[0], dict) else {}
    body = first.get(DATA_FIELD.encode()) or first.get(DATA_FIELD)
    return event_fields(body).get("event_type", "unknown") if body else "unknown"


def instrument(broker: RedisBroker, service: str) -> None:
    """JSON logs naming the event in hand, and FastStream's metrics by event type."""
    setup_logging(service, current_event=current_event(broker))
    broker.add_middleware(
        RedisPrometheusMiddleware(
            registry=REGISTRY, app_name=service, custom_labels={"event_type": event_type_of_raw}
        )
    )


def current_event(broker: RedisBroker) -> Callable[[], dict[str, str]]:
    """A function giving the log fields of the message `broker` is handling now, if any."""

    def fields() -> dict[str, str]:
        message = broker.context.get_local("message")
        return event_fields(message.body) if message is not None else {}

    return fields

"""Prometheus metrics of the platform: one registry, every metric named and explained here."""

from prometheus_client import Counter, Gauge, Histogram

EVENTS_HANDLED = Counter(
    "newsroom_events_handled_total",
    "Events a consumer handled and acknowledged (a batch of views counts each view).",
    ["service", "event_type"],
)
EVENTS_FAILED = Counter(
    "newsroom_events_failed_total",
    "Events whose handler raised (they are redelivered, then dead-lettered).",
    ["service", "event_type"],
)
FILES_WRITTEN = Counter(
    "newsroom_files_written_total",
    "Files written to the public folder by kind: html pages, xml feeds, json data.",
    ["kind"],
)
CONSUMER_LAG = Gauge(
    "newsroom_consumer_lag",
    "Entries of a stream its consumer group has not read yet.",
    ["stream", "group"],
)
CONSUMER_PENDING = Gauge(
    "newsroom_consumer_pending",
    "Entries a consumer group has read but not acknowledged yet.",
    ["stream", "group"],
)
STREAM_LENGTH = Gauge("newsroom_stream_length", "Entries in a stream.", ["stream"])
HTTP_REQUESTS = Counter(
    "newsroom_http_requests_total",
    "Requests the ingest API answered.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "newsroom_http_request_duration_seconds",
    "Time the ingest API took to answer.",
    ["method", "route"],
)


def file_written(suffix: str) -> None:
    """Count one file written to the public folder, by its suffix ('.html' → html)."""
    FILES_WRITTEN.labels(kind=suffix.lstrip(".") or "other").inc()

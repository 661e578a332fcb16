"""Prometheus metrics of the ingest process, or of all its worker processes together.

With more than one worker (NEWSROOM_INGEST_WORKERS), `services.ingest.__main__` gives them a
shared PROMETHEUS_MULTIPROC_DIR: each worker's metrics live in files there, and a scrape,
whichever worker answers it, reads them all (prometheus_client's multiprocess mode).
"""

import os

from fastapi import APIRouter, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

router = APIRouter(tags=["health"])


def _registry() -> CollectorRegistry:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def metrics() -> Response:
    """Request counts and latencies in the Prometheus text format."""
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)

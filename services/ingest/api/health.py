"""Liveness and readiness."""

import asyncio

from fastapi import APIRouter, HTTPException

from services.ingest.api.deps import RedisClient
from services.ingest.schemas import Health, errors

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health")
async def health() -> Health:
    """The process answers."""
    return Health(status="ok")


@router.get("/ready", responses=errors(503))
async def ready(redis: RedisClient) -> Health:
    """Redis answers too, within a second."""
    try:
        await asyncio.wait_for(redis.ping(), timeout=1.0)
    except Exception as e:
        raise HTTPException(503, f"redis unreachable: {type(e).__name__}") from None
    return Health(status="ready")

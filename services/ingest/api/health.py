"""Liveness and readiness."""

from fastapi import APIRouter, HTTPException, Request

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/ready", responses={503: {"description": "Redis unreachable"}})
async def ready(request: Request) -> dict[str, str]:
    """Redis answers too."""
    try:
        await request.app.state.redis.ping()
    except Exception as e:
        raise HTTPException(503, f"redis unreachable: {type(e).__name__}") from None
    return {"status": "ready"}

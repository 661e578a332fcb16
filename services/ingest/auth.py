"""Bearer-token check for editorial calls (constant-time, never logged)."""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(auto_error=False, description="A token from NEWSROOM_API_TOKENS.")


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Reject the call with 401 unless it carries one of the configured tokens."""
    tokens: list[str] = request.app.state.settings.tokens
    given = credentials.credentials.encode() if credentials else b""
    ok = False
    for token in tokens:
        ok |= hmac.compare_digest(given, token.encode())
    if not credentials or not ok:
        raise HTTPException(
            401, "missing or invalid bearer token", headers={"WWW-Authenticate": "Bearer"}
        )

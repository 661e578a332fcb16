"""Bearer-token check for editorial calls (constant-time, never logged); names the caller."""

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.ingest.api.deps import Tokens

_bearer = HTTPBearer(auto_error=False, description="A token from NEWSROOM_API_TOKENS.")


async def require_token(
    request: Request,
    tokens: Tokens,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The name of the caller's token; 401 unless it is one of the configured tokens.

    The name is also left in `request.state.token_name` for the request's log line.
    """
    given = credentials.credentials.encode() if credentials else b""
    name = None
    for token in tokens:  # every token compared, so the time says nothing about which matched
        if hmac.compare_digest(given, token.secret.encode()):
            name = token.name
    if not credentials or name is None:
        raise HTTPException(
            401, "missing or invalid bearer token", headers={"WWW-Authenticate": "Bearer"}
        )
    request.state.token_name = name
    return name


Caller = Annotated[str, Depends(require_token)]
"""The name of the token an editorial call was made with."""

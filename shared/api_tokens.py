"""NEWSROOM_API_TOKENS: named bearer secrets (`name:secret`, comma-separated), checked strong."""

import re
from dataclasses import dataclass

VARIABLE = "NEWSROOM_API_TOKENS"
PLACEHOLDER = "change-me"
DEFAULT_NAME = "default"
MIN_SECRET_LENGTH = 32
NAME_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
_NAME = re.compile(NAME_PATTERN)


class WeakTokenError(ValueError):
    """An entry of NEWSROOM_API_TOKENS is malformed, short or the example's placeholder."""


@dataclass(frozen=True)
class ApiToken:
    """One editorial system's secret, and the name its writes are recorded under."""

    name: str
    secret: str

    def __str__(self) -> str:
        return f"{self.name}:{self.secret}"


def checked_token(name: str, secret: str) -> ApiToken:
    """The token, when its name fits the setting and its secret is strong; else WeakTokenError."""
    if not _NAME.match(name):
        raise WeakTokenError(
            f"{VARIABLE}: a token name must be 1-64 letters, digits, '_', '.' or '-', "
            f"as `newsroom token new --name NAME` prints it"
        )
    advice = f"make one with `newsroom token new --name {name}`"
    if secret == PLACEHOLDER:
        raise WeakTokenError(
            f"{VARIABLE}: the token {name!r} is the example's placeholder; {advice}"
        )
    if len(secret) < MIN_SECRET_LENGTH:
        raise WeakTokenError(
            f"{VARIABLE}: the secret of the token {name!r} has {len(secret)} characters, "
            f"at least {MIN_SECRET_LENGTH} are needed; {advice}"
        )
    return ApiToken(name, secret)


def _parse_entry(entry: str) -> ApiToken:
    name, sep, secret = entry.partition(":")
    if not sep:
        name, secret = DEFAULT_NAME, entry
    return checked_token(name.strip(), secret.strip())


def parse_tokens(value: str) -> list[ApiToken]:
    """The tokens of a NEWSROOM_API_TOKENS value (a bare secret is named "default").

    Raises WeakTokenError, never quoting a secret, when an entry is unusable.
    """
    tokens = [_parse_entry(e.strip()) for e in value.split(",") if e.strip()]
    secrets = [t.secret for t in tokens]
    if len(set(secrets)) != len(secrets):
        raise WeakTokenError(
            f"{VARIABLE}: one secret is listed twice; give each entry its own "
            "(`newsroom token new`)"
        )
    return tokens

"""API tokens: new random ones, optionally added to an env file's NEWSROOM_API_TOKENS."""

import re
import secrets
from pathlib import Path

VARIABLE = "NEWSROOM_API_TOKENS"
PLACEHOLDER = "change-me"


def new_token() -> str:
    """A random bearer token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def add_to_env_file(path: Path, token: str) -> None:
    """Append `token` to NEWSROOM_API_TOKENS in `path` (replacing the example placeholder)."""
    text = path.read_text() if path.exists() else ""
    line = re.search(rf"^{VARIABLE}=(.*)$", text, flags=re.MULTILINE)
    if line is None:
        text += ("" if text.endswith("\n") or not text else "\n") + f"{VARIABLE}={token}\n"
    else:
        kept = [t for t in line.group(1).strip().split(",") if t.strip() not in ("", PLACEHOLDER)]
        value = ",".join([*kept, token])
        text = text[: line.start()] + f"{VARIABLE}={value}" + text[line.end() :]
    path.write_text(text)

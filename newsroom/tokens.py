"""API tokens: new strong ones, added to an env file's NEWSROOM_API_TOKENS; private files."""

import os
import re
import secrets
from pathlib import Path

from shared.api_tokens import PLACEHOLDER, VARIABLE, ApiToken, checked_token


def new_token(name: str) -> ApiToken:
    """A random token (256 bits, URL-safe) named `name`; WeakTokenError for a bad name."""
    return checked_token(name, secrets.token_urlsafe(32))


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable and writable by its owner only (mode 0600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode through os.open
    with os.fdopen(fd, "w") as file:
        file.write(text)


def _is_placeholder(entry: str) -> bool:
    return entry.strip().rpartition(":")[2].strip() in ("", PLACEHOLDER)


def add_to_env_file(path: Path, token: ApiToken) -> None:
    """Append `token` to NEWSROOM_API_TOKENS in `path` (dropping the example placeholder)."""
    text = path.read_text() if path.exists() else ""
    line = re.search(rf"^{VARIABLE}=(.*)$", text, flags=re.MULTILINE)
    if line is None:
        text += ("" if text.endswith("\n") or not text else "\n") + f"{VARIABLE}={token}\n"
    else:
        kept = [e.strip() for e in line.group(1).split(",") if not _is_placeholder(e)]
        value = ",".join([*kept, str(token)])
        text = text[: line.start()] + f"{VARIABLE}={value}" + text[line.end() :]
    write_private(path, text)

"""The theme's messages file: words a reader sees that pages and feeds put together in code."""

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shared.pages.theme_folder import DEFAULT_THEME, theme_dir
from shared.settings import Settings

MESSAGES_FILE = "messages.yaml"


@cache
def _read(folder: Path) -> dict[str, Any]:
    """The messages of a theme folder (the built-in theme's if it has none)."""
    path = folder / MESSAGES_FILE
    if not path.exists():
        path = DEFAULT_THEME / MESSAGES_FILE
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def messages(settings: Settings) -> dict[str, Any]:
    """The messages of the configured theme (read once per folder)."""
    return _read(theme_dir(settings))

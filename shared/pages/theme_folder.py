"""Where the theme is: NEWSROOM_THEME_DIR, or the built-in one beside this module."""

from pathlib import Path

from shared.settings import Settings

DEFAULT_THEME = Path(__file__).parent / "theme"


def theme_dir(settings: Settings) -> Path:
    """The theme folder: NEWSROOM_THEME_DIR, or the built-in theme."""
    return settings.theme_dir or DEFAULT_THEME

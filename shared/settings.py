"""Settings read from the environment (one place, every service)."""

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the platform; each field is one environment variable."""

    model_config = SettingsConfigDict(env_prefix="NEWSROOM_", extra="ignore")

    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("REDIS_URL", "NEWSROOM_REDIS_URL"),
        description="Redis holding the article store and the event streams.",
    )
    public_dir: Path = Field(Path("public"), description="Folder the static site is written to.")
    site_url: str = Field(
        "http://127.0.0.1:8000",
        description="Absolute base URL of the site, used in feeds, sitemaps and canonical links.",
    )
    site_name: str = Field("Newsroom", description="Name of the publication.")
    api_tokens: str = Field("", description="Comma-separated bearer tokens for write calls.")
    timezone: str = Field("Asia/Almaty", description="Time zone dates are shown in.")
    language: str = Field("ru", description="Language of the site.")
    ingest_host: str = Field("127.0.0.1", description="Address the ingest API listens on.")
    ingest_port: int = Field(8001, description="Port the ingest API listens on.")
    max_body_bytes: int = Field(2_000_000, description="Largest request body ingest accepts.")
    page_size: int = Field(20, description="Articles per list page (home, section, tag, author).")
    feed_size: int = Field(50, description="Entries per feed.")
    consumer: str = Field("", description="Consumer name in the groups; default host-pid.")
    metrics_port: int = Field(
        0,
        description="Port of /health, /ready and /metrics of a consumer service; "
        "0 = the service's default (render 9101, feeds 9102).",
    )

    @property
    def tokens(self) -> list[str]:
        """The configured API tokens, blanks dropped."""
        return [t.strip() for t in self.api_tokens.split(",") if t.strip()]

    @property
    def base_url(self) -> str:
        """Site URL without a trailing slash."""
        return self.site_url.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()

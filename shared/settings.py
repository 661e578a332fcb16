"""Settings read from the environment (one place, every service)."""

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.api_tokens import ApiToken, parse_tokens
from shared.keyspace import Layout

DEFAULT_VERSIONS_KEPT = 20


class Settings(BaseSettings):
    """Every knob of the platform; each field is one environment variable."""

    model_config = SettingsConfigDict(env_prefix="NEWSROOM_", extra="ignore")

    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        validation_alias=AliasChoices("REDIS_URL", "NEWSROOM_REDIS_URL"),
        description="Redis holding the article store and the event streams.",
    )
    public_dir: Path = Field(Path("public"), description="Folder the static site is written to.")
    media_dir: Path = Field(
        Path("media"),
        description="Folder keeping uploaded images and their variants (back it up with Redis).",
    )
    media_max_bytes: int = Field(20_000_000, description="Largest image POST /api/media takes.")
    media_max_pixels: int = Field(
        40_000_000, ge=1, description="Most pixels (width × height) of an uploaded image."
    )
    theme_dir: Path | None = Field(
        None, description="Theme folder (templates/, static/); default the built-in theme."
    )
    site_url: str = Field(
        "http://127.0.0.1:8000",
        description="Absolute base URL of the site, used in feeds, sitemaps and canonical links.",
    )
    site_name: str = Field("Newsroom", description="Name of the publication.")
    api_tokens: str = Field(
        "",
        description="Comma-separated `name:secret` bearer tokens of editorial systems (a bare "
        "secret is named `default`); secrets of 32+ characters (`newsroom token new`).",
    )
    preview_secret: str = Field(
        "",
        description="Key (32+ characters) signing editors' preview links; empty: previews off.",
    )
    timezone: str = Field("Asia/Almaty", description="Time zone dates are shown in.")
    menu_sections: str = Field(
        "",
        description="Comma-separated section slugs the header menu lists first, in this order; "
        "the other sections follow by name.",
    )
    language: str = Field("ru", description="Language of the site.")
    ingest_host: str = Field("127.0.0.1", description="Address the ingest API listens on.")
    ingest_port: int = Field(8001, description="Port the ingest API listens on.")
    site_port: int = Field(8000, description="Port of the local site server (`newsroom run`).")
    max_body_bytes: int = Field(2_000_000, description="Largest request body ingest accepts.")
    body_timeout_s: float = Field(
        30.0, description="Ingest answers 408 when a request body takes longer to arrive."
    )
    page_size: int = Field(20, description="Articles per list page (home, section, tag, author).")
    feed_size: int = Field(50, description="Entries per feed.")
    websub_hub: str = Field("", description="WebSub hub feeds advertise and ping on change.")
    popular_interval: float = Field(
        10.0, description="Seconds between refreshes of the most-read lists while views arrive."
    )
    search_debounce_s: float = Field(
        10.0, description="Most seconds between a page change and the search index build."
    )
    consumer: str = Field("", description="Consumer name in the groups; default host-pid.")
    ingest_workers: int = Field(
        2,
        ge=1,
        description="Worker processes of the ingest API (each stops when its supervisor dies).",
    )
    versions_kept: int = Field(
        DEFAULT_VERSIONS_KEPT, ge=1, description="Versions of each article its history keeps."
    )
    views_batch_max: int = Field(1000, ge=1, description="Most views one POST /api/views takes.")
    views_rate_limit: int = Field(
        1000,
        ge=0,
        description="Views one client address (an IPv6 /64) may report per window (0: no limit).",
    )
    views_rate_window: int = Field(60, ge=1, description="Seconds of the views rate-limit window.")
    views_ts_window_s: int = Field(
        600, ge=1, description="Views whose `ts` is further than this from now are dropped."
    )
    views_repeat_window_s: int = Field(
        3600, ge=1, description="A visitor's views of one article within this count once."
    )
    trusted_proxies: str = Field(
        "127.0.0.1,::1",
        description="Comma-separated proxy addresses whose X-Forwarded-For ingest believes.",
    )
    max_deliveries: int = Field(
        5, description="Deliveries of a failing event before it goes to the dead letters."
    )
    claim_idle_ms: int = Field(
        15_000, description="Idle time after which a replica claims another's pending event."
    )
    redis_give_up_s: float = Field(
        60.0, description="A consumer exits non-zero when Redis stays away this long."
    )
    stop_deadline_s: float = Field(
        20.0,
        gt=0,
        description="A consumer that has not stopped this long after SIGTERM exits with 1.",
    )
    trim_interval_s: float = Field(
        60.0, description="How often consumers trim acknowledged entries off the streams."
    )
    backlog_rebuild: int = Field(
        2000,
        ge=0,
        description="Render and feeds work a backlog of at least this many article events "
        "(and a quarter of the stored articles) as one full rebuild; 0: batch by batch.",
    )
    metrics_port: int = Field(
        0,
        description="Port of /health, /ready and /metrics of a consumer service; "
        "0 = the service's default (render 9101, feeds 9102).",
    )
    metrics_host: str = Field(
        "127.0.0.1",
        description="Address a consumer's /health, /ready and /metrics server listens on.",
    )

    redis_cluster: bool = Field(
        False, description="REDIS_URL names one node of a Redis Cluster (see the README)."
    )
    article_shards: int = Field(
        8, ge=1, description="Article shards (hash slots) of a new store; fixed once it exists."
    )
    views_partitions: int = Field(
        4, ge=1, description="Views streams and buckets, partitioned by article id."
    )
    redis_wait_replicas: int = Field(
        1,
        ge=0,
        description="On a cluster, replicas an article write must reach before ingest "
        "answers (0: do not wait).",
    )
    redis_wait_timeout_ms: int = Field(
        1000, ge=1, description="How long ingest waits for those replicas before a 503."
    )

    @property
    def layout(self) -> Layout:
        """How articles and views spread over Redis slots."""
        return Layout(self.article_shards, self.views_partitions)

    @property
    def tokens(self) -> list[ApiToken]:
        """The configured API tokens; WeakTokenError when one is unusable."""
        return parse_tokens(self.api_tokens)

    @property
    def menu_order(self) -> list[str]:
        """The section slugs of NEWSROOM_MENU_SECTIONS, in order."""
        return [s.strip() for s in self.menu_sections.split(",") if s.strip()]

    @property
    def base_url(self) -> str:
        """Site URL without a trailing slash."""
        return self.site_url.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()

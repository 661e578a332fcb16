"""The one builder of a consumer service, and how it runs.

    service = ConsumerService("render", RENDER_GROUP, settings, site=Site("/", rebuild_pages))

    @service.subscriber(ARTICLES_STREAM, batch=True, max_records=100)
    async def render(events: list[ArticleEvent]) -> None: ...

    service.every(600, refresh)            # a periodic step beside the subscribers
    service.app.on_startup(...)            # FastStream's own hooks, as usual

Its parts: a broker (shared.consuming.connections), the store on its own Redis client, a
`SiteKeeper` when the service keeps part of the public folder (shared.site_keeper), the
guard (shared.consuming.guard) and the app, FastStream's ASGI app serving shared.consuming.probes.
`serve()` runs it as a process: JSON logs and metrics, the probes from the start, SIGTERM
for a graceful stop, and the guard's exit code (0 after SIGTERM, 1 when it cannot go on).
"""

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar, get_args, get_type_hints

from shared.consuming.connections import consumer_broker, consumer_redis
from shared.consuming.delivery import subscribe_reliably
from shared.consuming.faststream_adapter import ConsumerApp
from shared.consuming.guard import REDIS_DOWN, ConsumerGuard, RedisGoneError, Step
from shared.consuming.observability import instrument
from shared.consuming.options import Options
from shared.consuming.probes import routes, serving
from shared.consuming.stopping import stop_on_signals
from shared.settings import Settings, get_settings
from shared.site_keeper import Rebuild, SiteKeeper
from shared.store import ParsedArticles, open_store
from shared.store.migration import check_layout
from shared.topology import ARTICLES_STREAM

H = TypeVar("H", bound=Callable[..., Any])

# Stored bytes of the articles a service keeps parsed: a batch reads each article for its page,
# its lists, its archive day and its neighbours' read-also; its next batches read the newest
# ones again. An article whose bytes changed is parsed afresh (they are the key).
PARSED_BUDGET = 16 * 2**20


@dataclass(frozen=True)
class Site:
    """The part of the public folder a service keeps in step with the store: a path whose
    file shows it is there, and the full rebuild that writes it (run in a thread)."""

    landmark: str
    rebuild: Rebuild


class ConsumerService:
    """A consumer service in `group`: declare handlers with `subscriber`, then `run` it."""

    def __init__(
        self,
        name: str,
        group: str,
        settings: Settings,
        *,
        site: Site | None = None,
        options: Options | None = None,
    ) -> None:
        self.name = name
        self.options = options or Options.from_settings(settings)
        self.redis = consumer_redis(settings)
        self.store = open_store(settings, self.redis, ParsedArticles(PARSED_BUDGET))
        self.broker = consumer_broker(settings)
        self.keeper = (
            SiteKeeper(
                name,
                self.store,
                settings,
                self.options.consumer,
                landmark=site.landmark,
                rebuild=site.rebuild,
            )
            if site is not None
            else None
        )
        self.guard = ConsumerGuard(
            self.redis, group, settings.layout, self.options, self.broker, self.keeper
        )
        self.app = ConsumerApp(
            self.broker,
            asgi_routes=routes(self.broker, settings, group, self.keeper),
            lifespan=self.guard.lifespan,
            on_startup=[self._check_layout]
            + ([self.keeper.settle] if self.keeper is not None else []),
            on_shutdown=[self.guard.check],
        )
        self.guard.stop = self.app.exit

    async def _check_layout(self) -> None:
        """Refuse to start (LayoutMismatchError) on a store of another layout than the
        settings' (checked when Redis is there at the start)."""
        with contextlib.suppress(*REDIS_DOWN):
            await check_layout(self.redis, self.store.layout)

    def subscriber(
        self,
        stream: str,
        *,
        batch: bool = False,
        max_records: int = 10,
        covered: Callable[[Any], Awaitable[Any]] | None = None,
    ) -> Callable[[H], H]:
        """Hand the events of `stream` to the decorated handler, reliably
        (shared.consuming.delivery), once the keeper lets the service write.

        The handler's first parameter says the event type (with `batch`, a sequence of it,
        up to `max_records` a call); it must be idempotent. Handlers of the articles stream
        also record, in the service's manifest, the store revision their files reflect; a
        batch a full rebuild covered goes to `covered` instead (what the rebuild does not
        do; nothing when None), see shared.site_keeper.
        """

        def declare(handler: H) -> H:
            hints = get_type_hints(handler, include_extras=True)
            hints.pop("return", None)
            if not hints:
                raise TypeError(f"{handler!r}: annotate its parameter with the event type")
            event_type = next(iter(hints.values()))
            if batch:
                (event_type,) = get_args(event_type)
            handle: Any = handler
            if self.keeper is not None and stream == ARTICLES_STREAM:
                handle = self.keeper.recording(handler, covered)
            elif self.keeper is not None:
                handle = self.keeper.gated(handler)
            subscribe_reliably(
                self.broker,
                stream,
                self.guard.group,
                handle,
                event_type,
                batch=batch,
                max_records=max_records,
                options=self.options,
            )
            return handler

        return declare

    def every(self, seconds: float, step: Step) -> None:
        """Run `step` every `seconds` beside the subscribers, while the service may write."""
        self.guard.every(seconds, step)

    async def run(self) -> int:
        """Run until `app.exit()` (0) or until it cannot go on (1)."""
        try:
            await self.app.run()
        except RedisGoneError:
            return 1
        return self.guard.exit_code


def serve(create: Callable[[Settings], ConsumerService], *, default_port: int) -> NoReturn:
    """Run the service `create` builds as this process, instrumented; exit with its code.

    Its probes listen on NEWSROOM_METRICS_HOST, port NEWSROOM_METRICS_PORT else
    `default_port`, from the start; SIGTERM or SIGINT stops it gracefully, within
    NEWSROOM_STOP_DEADLINE_S (shared.consuming.stopping).
    """
    settings = get_settings()
    service = create(settings)
    instrument(service.broker, service.name)

    async def main() -> int:
        stop_on_signals(service.app.exit, settings.stop_deadline_s)
        port = settings.metrics_port or default_port
        async with serving(service.app, settings.metrics_host, port):
            return await service.run()

    sys.exit(asyncio.run(main()))

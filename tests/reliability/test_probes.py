"""A consumer's probes (shared.consuming.probes) answer from the start, before its broker."""

import asyncio

import httpx

from newsroom.ports import free_port
from shared.consuming.options import Options
from shared.consuming.probes import serving
from shared.consuming.service import ConsumerService
from shared.events import ArticleEvent
from shared.settings import Settings
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from tests.support.timing import eventually, scaled

QUICK = Options(max_deliveries=3, claim_idle_ms=300, redis_give_up_s=2.0, trim_interval_s=60)


async def test_probes_answer_while_redis_is_away_and_the_service_exits_1_when_it_stays_away():
    # A render consumer starts while its Redis does not answer: its lifespan waits for the
    # groups, so its broker has not started.
    settings = Settings(redis_url=f"redis://127.0.0.1:{free_port()}")
    service = ConsumerService("render", RENDER_GROUP, settings, options=QUICK)

    @service.subscriber(ARTICLES_STREAM)
    async def handle(event: ArticleEvent) -> None:
        raise AssertionError("no event can come")

    port = free_port()
    async with serving(service.app, "127.0.0.1", port), httpx.AsyncClient() as client:
        base = f"http://127.0.0.1:{port}"
        run = asyncio.create_task(service.run())

        # The probes answer all the same: alive, not ready (and why), metrics served.
        async def answering() -> bool:
            try:
                return (await client.get(f"{base}/health")).status_code == 200
            except httpx.TransportError:
                return False

        await eventually(answering, 5)
        assert (await client.get(f"{base}/health")).json() == {"status": "ok"}
        ready = await client.get(f"{base}/ready")
        assert (ready.status_code, ready.json()) == (503, {"error": "redis unreachable"})
        metrics = await client.get(f"{base}/metrics")
        assert metrics.status_code == 200 and "newsroom_events_handled_total" in metrics.text
        assert (await client.get(f"{base}/elsewhere")).status_code == 404
        assert not service.broker.running

        # Redis stays away longer than redis_give_up_s: the service ends with exit code 1.
        assert await asyncio.wait_for(run, scaled(20)) == 1

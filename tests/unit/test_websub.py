"""WebSub pings against a hub that always fails: retried, never queued twice, then given up."""

import asyncio

import httpx

from services.feeds.websub import HubNotifier


async def test_a_feed_waiting_for_its_ping_is_not_queued_twice_and_a_dead_hub_is_given_up():
    # A hub that answers every ping with 503, counting them.
    pings: list[str] = []

    def hub(request: httpx.Request) -> httpx.Response:
        pings.append(request.content.decode())
        return httpx.Response(503)

    client = httpx.AsyncClient(transport=httpx.MockTransport(hub))
    notifier = HubNotifier("https://hub.example/", client, attempts=3, first_delay=0.01)

    # The same feed changes twice while its first ping is still being retried.
    notifier.notify(["https://x.kz/feeds/rss.xml"])
    task = notifier.pending["https://x.kz/feeds/rss.xml"]
    notifier.notify(["https://x.kz/feeds/rss.xml"])
    assert notifier.pending["https://x.kz/feeds/rss.xml"] is task

    # It is tried `attempts` times, then given up and no longer pending.
    assert await task is False
    await asyncio.sleep(0)
    assert len(pings) == 3
    assert all("hub.mode=publish" in p for p in pings)
    assert notifier.pending == {}
    await notifier.close()

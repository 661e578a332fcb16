"""WebSub publisher pings: tell the hub a feed changed, in the background, with retries."""

import asyncio
import logging
from collections.abc import Iterable

import httpx

from shared.cancelling import cancel_and_wait

log = logging.getLogger(__name__)


class HubNotifier:
    """Pings a WebSub hub (`hub.mode=publish`) for changed feeds without blocking the caller.

    Each URL is pinged by its own task, retried with exponential backoff; a URL already
    waiting for its ping is not queued twice (the hub fetches the newest content anyway).
    """

    def __init__(
        self,
        hub_url: str,
        client: httpx.AsyncClient | None = None,
        attempts: int = 6,
        first_delay: float = 0.5,
    ) -> None:
        self.hub_url = hub_url
        self.client = client or httpx.AsyncClient(timeout=10)
        self.attempts = attempts
        self.first_delay = first_delay
        self.pending: dict[str, asyncio.Task[bool]] = {}

    def notify(self, feed_urls: Iterable[str]) -> None:
        """Schedule a ping for each feed URL; returns at once."""
        for url in feed_urls:
            if url not in self.pending:
                task = asyncio.create_task(self._ping(url))
                self.pending[url] = task
                task.add_done_callback(lambda _t, u=url: self.pending.pop(u, None))

    async def _ping(self, url: str) -> bool:
        """POST the publish notice until the hub accepts it (2xx) or attempts run out."""
        data = {"hub.mode": "publish", "hub.url": url}
        for attempt in range(self.attempts):
            try:
                response = await self.client.post(self.hub_url, data=data)
                if response.is_success:
                    return True
                reason = f"HTTP {response.status_code}"
            except httpx.HTTPError as e:
                reason = repr(e)
            delay = self.first_delay * 2**attempt
            log.warning("hub ping failed", extra={"feed": url, "reason": reason, "retry_in": delay})
            if attempt + 1 < self.attempts:
                await asyncio.sleep(delay)
        log.error("hub ping gave up", extra={"feed": url})
        return False

    async def close(self) -> None:
        """Stop pending pings and close the HTTP client."""
        await cancel_and_wait(list(self.pending.values()))
        await self.client.aclose()

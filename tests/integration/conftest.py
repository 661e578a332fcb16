"""Fixtures of the store tests."""

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from shared.settings import Settings
from shared.store import ArticleStore, open_store


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[ArticleStore]:
    """The store as the default settings describe it, on the test's flushed database."""
    client = Redis.from_url(redis_url)
    yield open_store(Settings(), client)
    await client.aclose()

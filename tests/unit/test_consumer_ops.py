"""Reading events out of raw messages for metrics and logs, and counting handled/failed."""

import json
from functools import partial

import pytest
from faststream.redis import RedisBroker, TestRedisBroker
from prometheus_client import REGISTRY

from shared.consumer_ops import EventCounter, event_fields, event_type_of_raw

EVENT = {"type": "ArticlePublished", "event_id": "e1", "article_id": "a1", "version": 1}


def test_a_single_event_names_its_id_article_and_type():
    assert event_fields(json.dumps(EVENT)) == {
        "event_type": "ArticlePublished",
        "event_id": "e1",
        "article_id": "a1",
    }


def test_a_batch_names_only_its_type():
    batch = [{"type": "ArticleViewed", "article_id": "a1"}, {"type": "ArticleViewed"}]
    assert event_fields(json.dumps(batch)) == {"event_type": "ArticleViewed"}


@pytest.mark.parametrize("body", [b"not json", b"42", b"[1, 2]", b""])
def test_garbage_gives_no_fields(body):
    assert event_fields(body) == {}


def test_raw_stream_messages_give_their_type():
    data = json.dumps(EVENT).encode()
    assert event_type_of_raw({"data": {b"__data__": data}}) == "ArticlePublished"
    assert event_type_of_raw({"data": [{b"__data__": data}, {b"__data__": data}]}) == (
        "ArticlePublished"
    )
    assert event_type_of_raw({"data": {b"other": b"x"}}) == "unknown"
    assert event_type_of_raw(None) == "unknown"


async def test_events_are_counted_as_handled_or_failed():
    broker = RedisBroker()
    broker.add_middleware(partial(EventCounter, service="unit"))

    @broker.subscriber(stream="unit:events")
    async def handle(event: dict) -> None:
        if event["article_id"] == "bad":
            raise ValueError("cannot handle")

    def count(metric: str) -> float:
        labels = {"service": "unit", "event_type": "Unit"}
        return REGISTRY.get_sample_value(f"{metric}_total", labels) or 0.0

    handled, failed = count("newsroom_events_handled"), count("newsroom_events_failed")
    async with TestRedisBroker(broker) as test_broker:
        await test_broker.publish({"type": "Unit", "article_id": "ok"}, stream="unit:events")
        with pytest.raises(ValueError, match="cannot handle"):
            await test_broker.publish({"type": "Unit", "article_id": "bad"}, stream="unit:events")
    assert count("newsroom_events_handled") == handled + 1
    assert count("newsroom_events_failed") == failed + 1

"""Reading events out of raw messages for metrics and logs."""

import json

import pytest

from shared.consuming.observability import event_fields, event_type_of_raw

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
    # A batch body as the consumers build it: entries joined into an array, no spaces.
    body = b"[" + b",".join(json.dumps(e).encode() for e in batch) + b"]"
    assert event_fields(body) == {"event_type": "ArticleViewed"}


def test_a_batch_of_one_names_its_event():
    assert event_fields(f"[ {json.dumps(EVENT)} ]") == event_fields(json.dumps(EVENT))


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

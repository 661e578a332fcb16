"""JSON log lines: the fields a record was given, and the event being handled."""

import json
import logging

from shared.logs import JsonFormatter


def test_a_line_carries_the_fields_given_and_those_of_the_event_in_hand():
    formatter = JsonFormatter("render", lambda: {"event_type": "ArticlePublished"})
    record = logging.makeLogRecord(
        {"msg": "rendered %d", "args": (2,), "levelname": "INFO", "name": "render"}
    )
    record.__dict__.update({"article_ids": ["a1", "a2"], "events": 2})

    line = json.loads(formatter.format(record))

    assert line["msg"] == "rendered 2"
    assert line["service"] == "render" and line["level"] == "info"
    assert line["article_ids"] == ["a1", "a2"] and line["events"] == 2
    assert line["event_type"] == "ArticlePublished"
    assert "args" not in line and "levelno" not in line

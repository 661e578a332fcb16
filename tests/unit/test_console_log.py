"""The run console: a JSON log record as one short line, the whole records in bounded files."""

import io
import json
import re
import subprocess
import sys
from datetime import datetime

from rich.color import ColorSystem
from rich.console import Console

from newsroom.console_log import BoundedLog, LogConsole, parse_record, short_line

TS = "2026-12-02T16:41:22.195439+00:00"
LOCAL = datetime.fromisoformat(TS).astimezone().strftime("%H:%M:%S")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_a_record_becomes_time_service_level_message_and_article():
    record = {
        "ts": TS,
        "level": "info",
        "service": "feeds",
        "logger": "faststream.access.redis",
        "msg": "Received",
        "event_id": "aa05",
        "article_id": "demo-001",
        "channel": "newsroom:articles",
    }
    assert short_line(record, "feeds") == f"{LOCAL} feeds  info    Received  article=demo-001"


def test_a_record_without_an_article_shows_none_and_keeps_the_exceptions_last_line():
    record = {
        "ts": TS,
        "level": "error",
        "msg": "handler failed",
        "exc": 'Traceback (most recent call last):\n  File "x.py"\nValueError: bad slug\n',
    }
    # The service comes from the child when the record has none.
    line = short_line(record, "render")
    assert line == f"{LOCAL} render error   handler failed: ValueError: bad slug"


def test_colours_change_nothing_but_the_escape_codes():
    record = {"ts": TS, "level": "warning", "service": "render", "msg": "site rebuilding"}
    coloured = short_line(record, "render", ColorSystem.STANDARD)
    assert coloured != short_line(record, "render")
    assert "\x1b[33m" in coloured  # the level in yellow
    assert ANSI.sub("", coloured) == short_line(record, "render")


def test_only_a_json_object_is_a_record():
    assert parse_record('{"msg": "x"}') == {"msg": "x"}
    for line in ("Traceback (most recent call last):", "[1, 2]", "{not json", '"text"'):
        assert parse_record(line) is None


def test_a_log_file_starts_afresh_keeping_the_previous_and_stays_bounded(tmp_path):
    path = tmp_path / "logs" / "ingest.jsonl"
    first = BoundedLog(path)
    first.write("previous run")
    first.close()

    log = BoundedLog(path, max_bytes=100)
    assert (tmp_path / "logs" / "ingest.jsonl.1").read_text() == "previous run\n"
    for n in range(50):
        log.write(f"line {n:03d} " + "ж" * 10)
    log.close()
    # Past the bound the file starts again; the two files together stay near the bound.
    assert path.read_text().splitlines()[-1] == "line 049 " + "ж" * 10
    assert path.stat().st_size <= 100 + 30
    assert (tmp_path / "logs" / "ingest.jsonl.1").stat().st_size <= 100 + 30


def test_a_childs_lines_go_short_to_the_console_and_whole_to_its_file(tmp_path):
    record = {"ts": TS, "level": "info", "service": "ingest", "msg": "PUT /x 201", "ms": 2.5}
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys; print({json.dumps(record)!r}); sys.stderr.write('Traceback: boom\\n')",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out = io.StringIO()
    logs = LogConsole(tmp_path / "logs", Console(file=out))
    logs.follow("ingest", child.stdout, child.stderr)
    child.wait()
    logs.close()

    # The two streams are read by two threads: their lines may come in either order.
    info, error = sorted(out.getvalue().splitlines(), key=lambda line: "error" in line)
    assert info == f"{LOCAL} ingest info    PUT /x 201"
    assert re.fullmatch(r"\d\d:\d\d:\d\d ingest error   Traceback: boom", error)
    kept = [json.loads(line) for line in (tmp_path / "logs" / "ingest.jsonl").open()]
    assert record in kept  # the whole record, fields and all
    wrapped = next(r for r in kept if r != record)
    assert wrapped["msg"] == "Traceback: boom" and wrapped["level"] == "error"
    assert wrapped["service"] == "ingest"

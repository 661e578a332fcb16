"""`.newsroom/run.json`: which Redis a running `newsroom run` uses, for the other commands."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from newsroom.run_state import (
    RUN_FILE,
    read_run_state,
    redacted,
    remove_run_state,
    use_runner_settings,
    write_run_state,
)

RUNNER_ENV = {
    "REDIS_URL": "redis://127.0.0.1:40123/0",
    "NEWSROOM_PUBLIC_DIR": "/srv/site",
    "NEWSROOM_SITE_URL": "http://127.0.0.1:8000",
    "NEWSROOM_API_TOKENS": "local:secret-not-shared",
}


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_runner_records_its_settings_privately_and_removes_them(tmp_path):
    run = write_run_state(tmp_path, RUNNER_ENV)
    path = tmp_path / RUN_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_run_state(tmp_path) == run and run.pid == os.getpid()
    assert run.redis_url == "redis://127.0.0.1:40123/0"
    assert "NEWSROOM_API_TOKENS" not in json.loads(path.read_text())["env"]
    assert [p.name for p in tmp_path.iterdir()] == [RUN_FILE]  # no temporary file left

    remove_run_state(tmp_path)
    assert not path.exists()


def test_a_command_uses_the_running_runners_settings_and_says_so(tmp_path):
    write_run_state(tmp_path, RUNNER_ENV)
    environ = {"NEWSROOM_PUBLIC_DIR": "/mine"}

    line = use_runner_settings(tmp_path, environ)

    assert line == (
        f"Redis: redis://127.0.0.1:40123/0 (from {tmp_path / RUN_FILE}, "
        f"started by newsroom run, pid {os.getpid()})"
    )
    # What the command was given stays; the rest comes from the runner.
    assert environ == {
        "REDIS_URL": "redis://127.0.0.1:40123/0",
        "NEWSROOM_PUBLIC_DIR": "/mine",
        "NEWSROOM_SITE_URL": "http://127.0.0.1:8000",
    }


def test_redis_url_wins_over_the_runner_and_its_password_is_never_shown(tmp_path):
    write_run_state(tmp_path, RUNNER_ENV)
    environ = {"REDIS_URL": "redis://:s3cret@db.example:6380/2"}
    assert use_runner_settings(tmp_path, environ) == (
        "Redis: redis://:***@db.example:6380/2 (from REDIS_URL)"
    )
    assert environ == {"REDIS_URL": "redis://:s3cret@db.example:6380/2"}


def test_a_file_left_by_a_runner_that_is_gone_is_stale(tmp_path):
    pid = dead_pid()
    (tmp_path / RUN_FILE).write_text(
        json.dumps({"pid": pid, "started_at": "2026-12-02T10:00:00+00:00", "env": RUNNER_ENV})
    )
    environ: dict[str, str] = {}
    line = use_runner_settings(tmp_path, environ)
    assert line == (
        "Redis: redis://127.0.0.1:6379/0 (default: REDIS_URL is unset and "
        f"{tmp_path / RUN_FILE} is stale: pid {pid} is not running)"
    )
    assert environ == {}
    # Nor does a runner remove what another one wrote.
    remove_run_state(tmp_path)
    assert (tmp_path / RUN_FILE).exists()


def test_no_runner_means_the_default():
    assert use_runner_settings(Path("/nonexistent"), {}) == (
        "Redis: redis://127.0.0.1:6379/0 (default: REDIS_URL is unset and no /nonexistent/run.json)"
    )


def test_passwords_are_redacted_wherever_the_url_carries_them():
    assert redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
    assert redacted("rediss://app:pw@h:6379/0") == "rediss://app:***@h:6379/0"
    assert redacted("unix:///run/redis.sock?db=1&password=pw") == (
        "unix:///run/redis.sock?db=1&password=***"
    )


def test_a_damaged_file_is_no_runner(tmp_path):
    path = tmp_path / RUN_FILE
    for text in ("{", "[]", '{"pid": 1}', json.dumps({"pid": 1, "started_at": "x", "env": {}})):
        path.write_text(text)
        assert read_run_state(tmp_path) is None, text

"""The `newsroom` command against real Redis and the real render service."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from typer.testing import CliRunner

from newsroom.cli import app
from shared.files import site_path
from shared.keyspace import Layout, dead_letters_key
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from tests.support.archive import write_archive
from tests.support.platform import Platform, newsroom, wait_for
from tests.support.redis_server import redis_executor, url_of

runner = CliRunner()


@pytest.fixture(scope="module")
def render_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """Redis and the render service, nothing else: what imports and stats need."""
    workdir = tmp_path_factory.mktemp("cli")
    with redis_executor(workdir / "redis") as executor:
        running = Platform(url_of(executor), workdir)
        running.start("render")
        wait_for(lambda: running.blocked_readers() >= 1, 30)
        try:
            yield running
        finally:
            running.stop()


def render_group(platform: Platform) -> dict:
    """The render group's line of `newsroom stats --json`."""
    result = newsroom(platform, "stats", "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    stream = next(s for s in stats["streams"] if s["stream"] == ARTICLES_STREAM)
    return next(g for g in stream["groups"] if g["group"] == RENDER_GROUP)


@pytest.mark.slow
def test_import_of_an_archive_with_bad_lines(render_only: Platform, tmp_path: Path):
    # An archive of 10,000 lines, 50 of them bad in six different ways.
    archive = write_archive(tmp_path / "archive.jsonl", valid=9950, bad=50)

    # While render consumes, the import takes the 9,950 good lines and names the 50 bad ones
    # with their reasons.
    result = newsroom(render_only, "import", str(archive.path))
    assert result.returncode == 1, "an import with rejected lines exits with 1"
    assert "imported 9950 of 10000 lines: 9950 created" in result.stdout
    assert "50 rejected" in result.stdout
    rows = {
        int(line.split("│")[1]): line.split("│")[2]
        for line in result.stdout.splitlines()
        if line.startswith("│") and line.split("│")[1].strip().isdigit()
    }
    assert set(rows) == set(archive.bad_lines)
    for number, word in archive.bad_lines.items():
        assert word in rows[number], (number, rows[number])

    # Render catches up with everything.
    wait_for(lambda: render_group(render_only)["lag"] == 0, timeout=600, interval=1)
    wait_for(lambda: render_group(render_only)["pending"] == 0, timeout=60, interval=0.5)

    # Every imported article has its page, with the body sanitized.
    client = redis.Redis.from_url(render_only.redis_url)
    urls = [
        json.loads(raw)["url"]
        for raw in client.mget([Layout().article_key(i) for i in archive.valid_ids])
    ]
    missing = [u for u in urls if not site_path(render_only.public, u).is_file()]
    assert missing == []
    page = site_path(render_only.public, urls[0]).read_text()
    assert "Архивная новость arch номер 1" in page and "<script>alert" not in page


def test_stats_show_lag_while_a_backlog_is_consumed_and_none_after(render_only: Platform):
    # Render is stopped; 400 articles arrive meanwhile.
    render_only.kill("render-0")
    backlog = write_archive(render_only.logs / "backlog.jsonl", 400, 0, prefix="backlog")
    assert newsroom(render_only, "import", str(backlog.path)).returncode == 0

    # Stats show the whole backlog as lag of the render group.
    assert render_group(render_only)["lag"] >= 400
    table = newsroom(render_only, "stats").stdout
    assert "newsroom:{store}:articles" in table and "render" in table and "dead letters: 0" in table

    # Render comes back and reads the backlog in batches as large as it allows (up to 5,000):
    # the lag falls to zero as it reads, the entries in hand show as pending while it works,
    # and in the end nothing is pending.
    render_only.start("render")
    seen = [(render_group(render_only)["lag"], 0)]

    def drained() -> bool:
        group = render_group(render_only)
        seen.append((group["lag"], group["pending"]))
        return group["lag"] == 0 and group["pending"] == 0

    wait_for(drained, timeout=300, interval=0.01)
    lags = [lag for lag, _ in seen]
    assert lags == sorted(lags, reverse=True)
    assert any(pending > 0 for _, pending in seen), seen


def test_dead_letters_list_show_and_replay(render_only: Platform):
    client = redis.Redis.from_url(render_only.redis_url, decode_responses=True)
    payload = {"__data__": json.dumps({"type": "Unknown", "article_id": "x"})}
    dead_letters = dead_letters_key(ARTICLES_STREAM)
    letter = client.xadd(
        dead_letters,
        {
            "stream": "newsroom:test-replay",
            "group": "render",
            "entry_id": "1-0",
            "error": "ValidationError: unknown event type",
            "deliveries": "5",
            "failed_at": "2026-11-25T10:00:00+00:00",
            "payload": json.dumps(payload),
        },
    )
    env = {"REDIS_URL": render_only.redis_url, "COLUMNS": "200"}

    listed = runner.invoke(app, ["dlq", "list"], env=env)
    assert listed.exit_code == 0 and letter in listed.output
    assert "unknown event type" in listed.output

    shown = runner.invoke(app, ["dlq", "show", letter], env=env)
    assert shown.exit_code == 0
    assert json.loads(shown.stdout)["payload"] == payload
    assert shown.stderr == f"Redis: {render_only.redis_url} (from REDIS_URL)\n"

    # Replay puts the original fields back on their stream and removes the dead letter.
    replayed = runner.invoke(app, ["dlq", "replay", letter], env=env)
    assert replayed.exit_code == 0, replayed.output
    assert [fields for _, fields in client.xrange("newsroom:test-replay")] == [payload]
    assert client.xlen(dead_letters) == 0
    assert runner.invoke(app, ["dlq", "show", letter], env=env).exit_code == 1


@pytest.mark.parametrize(
    "command",
    ["import", "stats", "dlq list", "dlq show", "dlq replay", "token new", "run", "rebuild"],
)
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example: newsroom" in result.output or "Example: REDIS_URL" in result.output

"""Named, strong API tokens end to end: the real ingest process refuses weak ones at start,
`newsroom token new` makes strong ones, and files holding tokens are private (0600)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from newsroom.cli import app
from newsroom.runner import api_token
from shared.api_tokens import parse_tokens
from tests.support.platform import ROOT, Platform, wait_for
from tests.support.samples import AUTH, BODY

runner = CliRunner()
EXAMPLE_LINE = next(
    line
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line.startswith("NEWSROOM_API_TOKENS=")
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def ingest(platform: Platform, tokens: str) -> subprocess.Popen[str]:
    """The real ingest process with NEWSROOM_API_TOKENS set to `tokens`, output captured."""
    env = platform.env | {"NEWSROOM_API_TOKENS": tokens}
    return subprocess.Popen(
        [sys.executable, "-m", "services.ingest"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "tokens",
    [EXAMPLE_LINE.partition("=")[2], "cms:too-short-a-secret", "x" * 31, f"c m s:{'x' * 40}"],
    ids=["example-placeholder", "short-named", "short-bare", "bad-name"],
)
def test_ingest_refuses_to_start_with_a_weak_token(redis_url, tmp_path, tokens):
    process = ingest(Platform(redis_url, tmp_path), tokens)
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()

    assert process.returncode == 1
    assert "NEWSROOM_API_TOKENS" in stderr and "newsroom token new" in stderr
    assert tokens.rpartition(":")[2] not in stderr  # the secret itself is never printed


@pytest.mark.slow
def test_ingest_with_no_tokens_starts_and_refuses_every_write(redis_url, tmp_path):
    platform = Platform(redis_url, tmp_path)
    process = ingest(platform, "")
    base = f"http://127.0.0.1:{platform.ingest_port}"
    try:
        wait_for(lambda: httpx.get(f"{base}/api/ready").status_code == 200, 60)
        put = httpx.put(f"{base}/api/articles/a1", json=BODY, headers=AUTH)
        delete = httpx.delete(f"{base}/api/articles/a1", headers=AUTH)
    finally:
        process.terminate()
        process.communicate(timeout=30)

    for answer in (put, delete):
        assert (answer.status_code, answer.json()) == (
            401,
            {"error": "missing or invalid bearer token"},
        )


def test_the_example_env_file_holds_no_usable_token():
    assert EXAMPLE_LINE == "NEWSROOM_API_TOKENS=cms:change-me"


def test_token_new_prints_a_strong_named_token():
    named = runner.invoke(app, ["token", "new", "--name", "cms"])
    bare = runner.invoke(app, ["token", "new"])

    [cms] = parse_tokens(named.stdout.strip())
    [default] = parse_tokens(bare.stdout.strip())
    assert named.exit_code == bare.exit_code == 0
    assert (cms.name, default.name) == ("cms", "default")
    assert len(cms.secret) >= 43 and cms.secret != default.secret


def test_token_new_refuses_a_name_the_setting_cannot_hold():
    result = runner.invoke(app, ["token", "new", "--name", "a,b"], env={"COLUMNS": "200"})

    assert result.exit_code == 2 and "token name" in result.output


def test_token_new_adds_to_the_env_file_replacing_the_placeholder_mode_0600(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"NEWSROOM_SITE_NAME=Newsroom\n{EXAMPLE_LINE}\n")
    env_file.chmod(0o644)

    made = [
        runner.invoke(app, ["token", "new", "--name", n, "--env-file", str(env_file)]).stdout
        for n in ("cms", "crm")
    ]

    tokens = ",".join(line.strip() for line in made)
    assert env_file.read_text() == f"NEWSROOM_SITE_NAME=Newsroom\nNEWSROOM_API_TOKENS={tokens}\n"
    assert [t.name for t in parse_tokens(tokens)] == ["cms", "crm"]
    assert mode(env_file) == 0o600


def test_the_runners_token_file_is_private_and_named_local(tmp_path):
    env: dict[str, str] = {}
    secret = api_token(env, tmp_path)

    assert (tmp_path / "token").read_text() == secret and len(secret) >= 43
    assert mode(tmp_path / "token") == 0o600
    assert parse_tokens(env["NEWSROOM_API_TOKENS"])[0].name == "local"


def test_the_runner_tightens_a_token_file_readable_by_others(tmp_path):
    (tmp_path / "token").write_text("r" * 43)
    (tmp_path / "token").chmod(0o644)

    assert api_token({}, tmp_path) == "r" * 43
    assert mode(tmp_path / "token") == 0o600


def test_the_runner_uses_the_first_configured_secret(tmp_path):
    env = {"NEWSROOM_API_TOKENS": f"cms:{'c' * 40},crm:{'d' * 40}"}

    assert api_token(env, tmp_path) == "c" * 40
    assert not (tmp_path / "token").exists()


@pytest.mark.slow
def test_the_runner_refuses_a_weak_configured_token_before_starting_anything(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "NEWSROOM_"))}
    result = subprocess.run(
        [sys.executable, "-m", "newsroom.cli", "run", "--state", str(tmp_path / "state")],
        env=env | {"NEWSROOM_API_TOKENS": "change-me", "COLUMNS": "200"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "NEWSROOM_API_TOKENS" in result.stdout and "newsroom token new" in result.stdout
    assert not (tmp_path / "state" / "redis").exists()

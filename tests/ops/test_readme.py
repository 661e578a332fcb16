"""The README's promises that code can check: Quick start, configuration table, commands."""

import re

import pytest

from newsroom.cli import app
from shared.settings import Settings
from tests.ops.test_compose import env_names
from tests.support.platform import ROOT

README = (ROOT / "README.md").read_text()
# Variables the table documents that are not Settings fields, and who reads them.
EXTRA = {"WEB_PORT": "docker-compose.yml", "EDITORIAL_LISTEN": "docker-compose.yml"}


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def configuration_rows() -> dict[str, tuple[str, str]]:
    """Variable → (default cell, description cell) of the configuration table."""
    rows = {}
    for line in section("Configuration").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("| `"):
            for name in re.findall(r"`(\w+)`", cells[0]):
                rows[name] = (cells[1], cells[2])
    return rows


def test_quick_start_is_the_two_commands():
    block = re.search(r"```bash\n(.*?)```", section("Quick start"), re.DOTALL)
    assert block is not None and block.group(1) == "./scripts/run\n./scripts/test\n"


def test_the_flow_diagram_is_mermaid():
    assert "```mermaid\nflowchart LR" in section("How it flows")


def test_configuration_table_covers_every_setting():
    rows = configuration_rows()
    assert set(env_names()) - {"NEWSROOM_REDIS_URL"} <= set(rows)
    assert set(rows) <= set(env_names()) | set(EXTRA)
    for reader in EXTRA.values():
        assert (ROOT / reader).exists()


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_configuration_table_gives_each_default(name):
    field = Settings.model_fields[name]
    env = next(e for e, n in env_names().items() if n == name and e != "NEWSROOM_REDIS_URL")
    default_cell, description = configuration_rows()[env]
    if field.default in ("", None):
        shown = {"empty", "(none)"}
    elif isinstance(field.default, float) and field.default.is_integer():
        shown = {str(field.default), str(int(field.default))}
    else:
        shown = {str(field.default)}
    assert any(f"`{value}`" in default_cell or value in default_cell for value in shown), (
        env,
        default_cell,
    )
    assert description


def test_every_command_is_documented():
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    groups = [g.name for g in app.registered_groups]
    for name in [*names, *groups]:
        assert f"`newsroom {name}" in README, name

"""The image: slim base, dependencies in their own cached layer, a non-root user."""

import tomllib

from tests.support.platform import ROOT

LINES = [
    line.strip()
    for line in (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    if line.strip() and not line.startswith("#")
]


def index_of(prefix: str) -> int:
    return next(i for i, line in enumerate(LINES) if line.startswith(prefix))


def test_slim_base_and_non_root_user():
    assert LINES[0].startswith("FROM python:") and LINES[0].endswith("-slim")
    user = LINES[index_of("USER ")].split()[1]
    assert user != "root" and f"useradd --system --uid 10001 --home-dir /app {user}" in "\n".join(
        LINES
    )


def test_dependencies_are_installed_before_the_source_is_copied():
    deps = index_of('RUN python -c "import tomllib')
    assert index_of("COPY pyproject.toml") < deps < index_of("COPY shared")
    assert "['project']['dependencies']" in LINES[deps]
    # Every package the image needs is one of those pinned dependencies.
    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert all("==" in requirement for requirement in pinned)


def test_the_image_runs_ingest_and_probes_it_by_default():
    assert LINES[-1] == 'CMD ["python", "-m", "services.ingest"]'
    assert any("newsroom.probe" in line for line in LINES if line.startswith("HEALTHCHECK"))
    for package in ("shared", "services", "newsroom"):
        assert f"COPY {package} ./{package}" in LINES

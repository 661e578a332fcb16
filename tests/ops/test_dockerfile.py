"""The image: slim base, dependencies in their own cached layer, a non-root user."""

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


def test_dependencies_are_installed_from_the_lock_before_the_source_is_copied():
    deps = index_of("RUN pip install --require-hashes --no-deps -r runtime.lock")
    assert index_of("COPY requirements/runtime.lock ./") < deps < index_of("COPY shared")


def test_the_image_runs_ingest_and_probes_it_by_default():
    assert LINES[-1] == 'CMD ["python", "-m", "services.ingest"]'
    assert any("newsroom.probe" in line for line in LINES if line.startswith("HEALTHCHECK"))
    for package in ("shared", "services", "newsroom"):
        assert f"COPY {package} ./{package}" in LINES

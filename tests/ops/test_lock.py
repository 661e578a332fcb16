"""The lock files: every pinned dependency of pyproject.toml at its version, every package hashed,
and the environment the tests run in holds exactly what the lock says."""

import re
import tomllib
from importlib import metadata

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.support.platform import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)(?: ; ([^\\]*))? \\$", re.MULTILINE)


def locked(name: str, *, here_only: bool = False) -> dict[str, str]:
    """The lock file's packages (only those this platform needs, if asked): name to version."""
    text = (ROOT / "requirements" / f"{name}.lock").read_text()
    return {
        canonicalize_name(pkg): version
        for pkg, version, marker in PIN.findall(text)
        if not (here_only and marker and not Marker(marker).evaluate())
    }


def pins(requirements: list[str]) -> dict[str, str]:
    """pyproject.toml's requirements as canonical name to their exact pinned version."""
    found = {}
    for line in requirements:
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{line} is not pinned exactly"
        found[canonicalize_name(requirement.name)] = spec.version
    return found


@pytest.mark.parametrize(
    ("lock", "requirements"),
    [
        ("runtime", PROJECT["dependencies"]),
        ("dev", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
    ],
)
def test_the_lock_holds_every_pinned_dependency_at_its_version(lock, requirements):
    packages = locked(lock)
    for name, version in pins(requirements).items():
        assert packages.get(name) == version, f"{name}=={version} in pyproject.toml, lock: {lock}"


@pytest.mark.parametrize("lock", ["runtime", "dev"])
def test_every_locked_package_carries_a_hash(lock):
    text = (ROOT / "requirements" / f"{lock}.lock").read_text()
    packages = [entry for entry in re.split(r"\n(?=[A-Za-z0-9])", text) if entry[0] != "#"]
    assert len(packages) == len(PIN.findall(text)) > 20
    assert all("--hash=sha256:" in entry for entry in packages)


def test_the_test_environment_has_exactly_the_locked_versions():
    for name, version in locked("dev", here_only=True).items():
        assert metadata.version(name) == version, f"{name}: {version} locked"


def test_bootstrap_installs_from_the_lock_with_hashes():
    bootstrap = (ROOT / "scripts" / "bootstrap.sh").read_text()
    assert 'lock="$ROOT/requirements/$1.lock"' in bootstrap
    assert '--require-hashes --no-deps -r "$lock"' in bootstrap

"""Writing the public folder: atomic, durable, version-aware, and never outside it."""

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Revision sidecars live in one hidden tree mirroring the site (web servers deny dot paths).
REVISIONS_DIR = ".revisions"


class UnsafePathError(ValueError):
    """A site path that would leave the public folder."""


def site_path(root: Path, url: str, index: str = "index.html") -> Path:
    """The file under `root` that serves site path `url` (a folder URL maps to its index)."""
    if "\x00" in url or "\\" in url or not url.startswith("/"):
        raise UnsafePathError(url)
    parts = [p for p in url.split("/") if p]
    if any(p in {".", ".."} for p in parts):
        raise UnsafePathError(url)
    if url.endswith("/"):
        parts.append(index)
    target = root.joinpath(*parts).resolve()
    if not target.is_relative_to(root.resolve()):
        raise UnsafePathError(url)
    return target


def write_atomic(path: Path, data: bytes) -> bool:
    """Write `data` to `path` via a synced temp file and a rename; False if already equal."""
    with contextlib.suppress(FileNotFoundError):
        if path.read_bytes() == data:
            return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        tmp.chmod(0o644)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)
    return True


def write_versioned(root: Path, url: str, data: bytes | None, revision: int) -> bool:
    """Write (or, with `data` None, remove) the file at site path `url` unless it is newer.

    `revision` is the store revision read before the data the file was built from
    (ArticleStore.revision()). Under a per-file lock, the revision recorded for the file is
    compared: an older revision never replaces newer output, so redelivered events and slow
    replicas holding an older view of the store are harmless. Equal revisions write again
    (a crash may have left the sidecar ahead of the file). True if the file changed.
    """
    path = site_path(root, url)
    sidecar = _sidecar(root, path)
    with _locked(sidecar) as fd:
        recorded = os.pread(fd, 32, 0).strip()
        if recorded.isdigit() and int(recorded) > revision:
            return False
        if recorded != str(revision).encode():
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(revision).encode(), 0)
            os.fsync(fd)
        return write_atomic(path, data) if data is not None else remove(path)


def recorded_revision(root: Path, url: str) -> int | None:
    """The revision the file at `url` was last written or removed with, if any."""
    try:
        raw = _sidecar(root, site_path(root, url)).read_text().strip()
    except FileNotFoundError:
        return None
    return int(raw) if raw.isdigit() else None


def _sidecar(root: Path, path: Path) -> Path:
    relative = path.relative_to(root.resolve())
    return root.resolve() / REVISIONS_DIR / relative.parent / f"{relative.name}.rev"


@contextlib.contextmanager
def _locked(sidecar: Path) -> Iterator[int]:
    """The sidecar open for reading and writing, exclusively locked (fcntl) while in use."""
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(sidecar, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def remove(path: Path) -> bool:
    """Delete a file durably; False if it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    _sync_dir(path.parent)
    return True


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

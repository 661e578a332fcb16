"""Writing the public folder: atomic, durable, and never outside it."""

import contextlib
import os
import tempfile
from pathlib import Path

from shared.metrics import file_written


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
    file_written(path.suffix)
    return True


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

"""Files of the public folder: safe paths, atomic writes, batched syncs, version sidecars.

The primitives under shared.public_writer, the one writer of the folder.
"""

import contextlib
import fcntl
import hashlib
import itertools
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from shared.metrics import file_written

T = TypeVar("T")

# Version sidecars (shared.public_writer) live in one hidden folder (web servers deny dot
# paths), spread over 256 subfolders by a hash of the file's path: no folder to make per page,
# as a mirror tree needs.
REVISIONS_DIR = ".revisions"
# Folders under a public folder found to be real directories, not links (bounded).
_REAL_FOLDERS: set[str] = set()
_REAL_FOLDERS_LIMIT = 100_000
# Temp file names: a random token (replicas in other containers may share a pid and a volume),
# the pid (forked workers share the token) and a counter.
_TEMP_TOKEN = secrets.token_hex(4)
_temp_names = itertools.count()


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
    real = _real(root)
    target = "/".join([real, *parts])
    if _links_in(real, parts) and not Path(target).resolve().is_relative_to(real):
        raise UnsafePathError(url)
    return Path(target)


def _links_in(real: str, parts: list[str]) -> bool:
    """Whether any existing folder or file on the way to `parts` under `real` is a link.

    Folders found to be real directories are remembered (a folder of the public folder does
    not turn into a link under a running service), so a page in a known folder costs one
    lstat instead of a full realpath walk.
    """
    current = real
    for depth, name in enumerate(parts, 1):
        current = f"{current}/{name}"
        if current in _REAL_FOLDERS:
            continue
        try:
            mode = os.lstat(current).st_mode
        except (FileNotFoundError, NotADirectoryError):
            return False  # nothing further exists: nothing to follow
        if stat.S_ISLNK(mode):
            return True
        if depth < len(parts) and stat.S_ISDIR(mode):
            if len(_REAL_FOLDERS) > _REAL_FOLDERS_LIMIT:
                _REAL_FOLDERS.clear()
            _REAL_FOLDERS.add(current)
    return False


def write_atomic(path: Path, data: bytes, sync: bool = True) -> bool:
    """Write `data` to `path` via a synced temp file and a rename; False if already equal.

    With `sync=False` nothing is fsynced: the caller syncs a whole batch later (sync_files).
    """
    with contextlib.suppress(FileNotFoundError):
        if path.read_bytes() == data:
            return False
    tmp = path.with_name(f".tmp-{_TEMP_TOKEN}-{os.getpid()}-{next(_temp_names)}{path.suffix}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    fd = _in_folder(path.parent, lambda: os.open(tmp, flags, 0o644))
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(fd, 0o644)  # readable by the web server whatever the umask
            f.write(data)
            f.flush()
            if sync:
                os.fsync(fd)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if sync:
        _sync_dir(path.parent)
    file_written(path.suffix)
    return True


def revision_file(root: Path, path: Path) -> Path:
    """Where the version of the file at `path` (from site_path) is recorded."""
    real = _real(root)
    relative = str(path).removeprefix(real + "/")
    if relative == str(path):
        raise UnsafePathError(f"{path} is not under {real}")
    digest = hashlib.blake2b(relative.encode(), digest_size=16).hexdigest()
    return Path(f"{real}/{REVISIONS_DIR}/{digest[:2]}/{digest[2:]}.rev")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[int]:
    """The file (a sidecar) open for reading and writing, exclusively locked (fcntl) while in
    use; created with its folder if missing."""
    fd = _in_folder(path.parent, lambda: os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def remove(path: Path, sync: bool = True) -> bool:
    """Delete a file durably (or leave the sync to sync_files); False if it was not there."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    if sync:
        _sync_dir(path.parent)
    return True


def sync_files(files: set[Path], folders: set[Path]) -> None:
    """Make a batch of unsynced writes and removals durable: each file, then each folder."""
    for path in files:
        with contextlib.suppress(FileNotFoundError):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    for folder in folders:
        with contextlib.suppress(FileNotFoundError):
            _sync_dir(folder)


@lru_cache(maxsize=16)
def _real(root: Path) -> str:
    """The public folder's real path (it does not move while a service runs)."""
    return str(root.resolve())


def _in_folder(folder: Path, create: Callable[[], T]) -> T:
    """Run `create` (which makes a file in `folder`), making the folder first if missing.

    Most folders exist already: trying first saves a mkdir call per file written.
    """
    try:
        return create()
    except FileNotFoundError:
        folder.mkdir(parents=True, exist_ok=True)
        return create()


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

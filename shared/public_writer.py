"""The one writer of the public folder: pages, sitemaps, feeds and the /data/*.json files.

The services read the store, generate bytes (templates, sitemaps, feeds, JSON) and hand them
here; the writer knows nothing of what a file holds. Every file it writes is:

- atomic: written to a temporary name and renamed into place (readers never see half a file);
- inside the public folder: a site path that would leave it is refused (shared.files.site_path);
- durable before the ack: fsync is deferred to `sync()`, which a consumer calls before it
  acknowledges its batch (one sync of a batch is cheaper than an fsync per file);
- never older than what it replaces. One rule: each file records the version it was written
  at (a sidecar, shared.files.revision_file), and under a per-file lock a write or removal at
  a lower version than the recorded one is refused; an equal one goes through (a crash may
  have left the sidecar ahead of the file). Pages, sitemaps and feeds are versioned by the
  store revision read before the data they were built from (ArticleStore.revision()); the
  /data/*.json files, built from view counts that do not move the store revision, by their
  generation time (`generation_version`). So a redelivered event, a slow replica holding an
  older view of the store, or a slower run of the rankings never replaces newer output.
"""

import os
from datetime import datetime
from pathlib import Path

from shared.files import locked, remove, revision_file, site_path, sync_files, write_atomic

# A sidecar holds the version as fixed-width digits, overwritten in place (no truncation).
VERSION_WIDTH = 20
# Above this many changed files, one sync() of every file system is cheaper than fsyncs.
SYNC_ALL_ABOVE = 256


def generation_version(generated_at: datetime) -> int:
    """The version of a file built from the state at `generated_at` (microseconds)."""
    return round(generated_at.timestamp() * 1_000_000)


class PublicWriter:
    """Writes or removes files of one public folder at `version`; counts what it did.

    `version` may be raised between batches (a renderer reads the store revision before each).
    """

    def __init__(self, root: Path, version: int = 0, *, keep_urls: bool = False) -> None:
        self.root = root
        self.real_root = root.resolve()
        self.version = version
        # Site paths written so far, when asked for (a rebuild removes the files not among them).
        self.written_urls: set[str] | None = set() if keep_urls else None
        self.written = 0
        self.removed = 0
        self.unsynced: set[Path] = set()
        self.folders: set[Path] = set()

    def write(self, url: str, data: bytes) -> bool:
        """Write the file at site path `url` unless newer output is there (durable at the next
        sync); True if its bytes changed."""
        path = site_path(self.root, url)
        changed = self._put(path, data)
        if changed:
            self.unsynced.add(path)
            self.folders.add(path.parent)
        self.written += 1
        if self.written_urls is not None:
            self.written_urls.add(url)
        return changed

    def delete(self, url: str) -> bool:
        """Remove the file at `url`, and the folders it leaves empty, unless newer output is
        there; False if nothing was removed."""
        path = site_path(self.root, url)
        if not self._put(path, None):
            return False
        self.removed += 1
        self.unsynced.discard(path)
        root = self.real_root
        folder = path.parent
        while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
        self.folders.add(folder)
        return True

    def wrote(self, url: str) -> bool:
        """Whether the file at `url` was written by a Newsroom writer (it has a version)."""
        return revision_file(self.root, site_path(self.root, url)).exists()

    def sync(self) -> None:
        """Make every write and removal since the last sync durable."""
        if len(self.unsynced) + len(self.folders) > SYNC_ALL_ABOVE:
            os.sync()
        else:
            sync_files(self.unsynced, self.folders)
        self.unsynced.clear()
        self.folders.clear()

    def _put(self, path: Path, data: bytes | None) -> bool:
        """Write (`data` None: remove) the file at `path` unless its recorded version is
        newer than ours; True if the file changed."""
        sidecar = revision_file(self.root, path)
        self.unsynced.add(sidecar)
        with locked(sidecar) as fd:
            recorded = os.pread(fd, VERSION_WIDTH + 1, 0).strip()
            if recorded.isdigit() and int(recorded) > self.version:
                return False
            record = f"{self.version:0{VERSION_WIDTH}d}".encode()
            if recorded != record:
                os.pwrite(fd, record, 0)
            if data is None:
                return remove(path, sync=False)
            return write_atomic(path, data, sync=False)

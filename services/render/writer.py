"""Writing pages: render a theme template (or take a generated document) and put it on disk.

Files are written to temporary names and renamed into place at once (readers never see half a
page); fsync is deferred to `sync()`, which the renderer calls before its batch is acked, so a
page shows as soon as it is rendered and the batch is durable before the ack.

Every write carries the store revision the batch read before building its pages
(shared.files.write_versioned): a replica holding an older view of the store, or a redelivered
event, never replaces a page written from a newer one.
"""

import os
from pathlib import Path

from jinja2 import Environment

from services.render.sitemaps import Document
from shared.files import site_file, sync_files, write_revision
from shared.pages.model import Page, Prune

Output = Page | Prune | Document
# Above this many changed files, one sync() of every file system is cheaper than fsyncs.
SYNC_ALL_ABOVE = 256


class Writer:
    """Writes or removes the files of pages; counts what it did."""

    def __init__(self, env: Environment, root: Path, keep_urls: bool = False) -> None:
        self.env = env
        self.root = root
        self.real_root = root.resolve()
        # Site paths written so far, when asked for (a rebuild removes the files not among them).
        self.written_urls: set[str] | None = set() if keep_urls else None
        self.written = 0
        self.removed = 0
        self.unsynced: set[Path] = set()
        self.folders: set[Path] = set()
        self.revision = 0

    def put(self, item: Output) -> None:
        """Write, remove or prune one output (files whose bytes are unchanged stay as they are)."""
        if isinstance(item, Prune):
            number = item.last + 1
            while self.delete(item.url_of(number)):
                number += 1
        elif isinstance(item, Document):
            self.write(item.url, item.body)
        elif item.template is None:
            self.delete(item.url)
        else:
            html = self.env.get_template(item.template).render(item.context)
            self.write(item.url, html.encode())

    def write(self, url: str, data: bytes) -> None:
        """Write one file unless newer output is there (durable at the next sync)."""
        target = site_file(self.root, url)
        self.unsynced.add(target.sidecar)
        if write_revision(target, data, self.revision, sync=False):
            self.unsynced.add(target.path)
            self.folders.add(target.path.parent)
        self.written += 1
        if self.written_urls is not None:
            self.written_urls.add(url)

    def delete(self, url: str) -> bool:
        """Remove one file, and the folders it leaves empty; False if it was not there."""
        target = site_file(self.root, url)
        self.unsynced.add(target.sidecar)
        if not write_revision(target, None, self.revision, sync=False):
            return False
        self.removed += 1
        self.unsynced.discard(target.path)
        root = self.real_root
        folder = target.path.parent
        while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
        self.folders.add(folder)
        return True

    def sync(self) -> None:
        """Make every write and removal since the last sync durable."""
        if len(self.unsynced) + len(self.folders) > SYNC_ALL_ABOVE:
            os.sync()
        else:
            sync_files(self.unsynced, self.folders)
        self.unsynced.clear()
        self.folders.clear()

"""Writing pages: render a theme template (or take a generated document) and put it on disk."""

from pathlib import Path

from jinja2 import Environment

from services.render.pages import Page, Prune
from services.render.sitemaps import Document
from shared.files import remove, site_path, write_atomic

Output = Page | Prune | Document


class Writer:
    """Writes or removes the files of pages; counts what it did."""

    def __init__(self, env: Environment, root: Path) -> None:
        self.env = env
        self.root = root
        self.written = 0
        self.removed = 0

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
        """Write one file durably."""
        write_atomic(site_path(self.root, url), data)
        self.written += 1

    def delete(self, url: str) -> bool:
        """Remove one file, and the folders it leaves empty; False if it was not there."""
        path = site_path(self.root, url)
        if not remove(path):
            return False
        self.removed += 1
        root = self.root.resolve()
        for folder in path.parents:
            if folder == root or not folder.is_relative_to(root) or any(folder.iterdir()):
                break
            folder.rmdir()
        return True

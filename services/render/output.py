"""Generating render's files: theme templates and sitemap documents become bytes, which the
public folder's writer (shared.public_writer) puts on disk (read → generate → write)."""

from jinja2 import Environment

from services.render.sitemaps import Document
from shared.pages.model import Page, Prune
from shared.public_writer import PublicWriter

Output = Page | Prune | Document


def put(writer: PublicWriter, env: Environment, item: Output) -> None:
    """Write, remove or prune one output (files whose bytes are unchanged stay as they are)."""
    if isinstance(item, Prune):
        number = item.last + 1
        while writer.delete(item.url_of(number)):
            number += 1
    elif isinstance(item, Document):
        writer.write(item.url, item.body)
    elif item.template is None:
        writer.delete(item.url)
    else:
        writer.write(item.url, env.get_template(item.template).render(item.context).encode())

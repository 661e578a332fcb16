"""AsyncAPI documents of the event streams, generated from the code by FastStream.

`python -m newsroom.asyncapi` rewrites docs/asyncapi/: `ingest.yaml` (what ingest adds to each
stream, from shared.topology and shared.events), `render.yaml` and `feeds.yaml` (what their
subscribers read). `--check` only compares, for the test and CI.
"""

import importlib
import os
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any, Union

import yaml
from faststream.redis import RedisBroker
from faststream.specification import AsyncAPI
from pydantic import Field

from shared.keyspace import Layout

DOCS = Path(__file__).resolve().parent.parent / "docs" / "asyncapi"
# Settings the documents show: the compose setup's Redis and the default consumer naming.
ENVIRONMENT = {"REDIS_URL": "redis://redis:6379/0", "NEWSROOM_CONSUMER": "<host>-<pid>"}


def _payload(event_names: tuple[str, ...]) -> Any:
    """The schema of a stream's entries: its one event, or the union of its events."""
    from shared import events

    classes = tuple(getattr(events, name) for name in event_names)
    if len(classes) == 1:
        return classes[0]
    return Annotated[Union[classes], Field(discriminator="type")]  # noqa: UP007


def ingest_broker(redis_url: str, layout: Layout) -> RedisBroker:
    """A broker declaring, for documentation, what ingest adds to each stream."""
    from shared.topology import topology

    broker = RedisBroker(redis_url)
    for stream in topology(layout):
        broker.publisher(
            stream=stream.name,
            title=f"{stream.name}:{stream.producer}",
            description=f"Written by {stream.producer}; read by the groups "
            f"{', '.join(stream.groups)}. Entry field `__data__` holds the event as JSON.",
            schema=_payload(stream.events),
        )
    return broker


def documents() -> dict[str, str]:
    """File name → YAML of each AsyncAPI document."""
    os.environ.update(ENVIRONMENT)
    from shared.settings import get_settings

    get_settings.cache_clear()
    from services.feeds.app import create_app as feeds_app
    from services.render.app import create_app as render_app

    settings = get_settings()
    brokers = {
        "ingest": ingest_broker(ENVIRONMENT["REDIS_URL"], settings.layout),
        "render": render_app(settings).broker,
        "feeds": feeds_app(settings).broker,
    }
    # Keys sorted: FastStream lists subscribers in an order that varies from run to run.
    return {
        f"{name}.yaml": yaml.safe_dump(
            AsyncAPI(
                broker,
                title=f"Newsroom {name}",
                version=version("newsroom"),
                description=(importlib.import_module(f"services.{name}").__doc__ or "").strip(),
            )
            .to_specification()
            .to_jsonable(),
            sort_keys=True,
            allow_unicode=True,
        )
        for name, broker in brokers.items()
    }


def main(argv: list[str]) -> int:
    """Write the documents, or with --check report the stale ones; 1 if any is stale."""
    stale = []
    for name, text in documents().items():
        path = DOCS / name
        if path.exists() and path.read_text() == text:
            continue
        stale.append(name)
        if "--check" not in argv:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    for name in stale:
        verb = "is out of date" if "--check" in argv else "written"
        print(f"docs/asyncapi/{name} {verb}")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

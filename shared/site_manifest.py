"""Which store a service's files in the public folder were written from, and how far.

Render and feeds each keep a manifest in the public folder, `<public>/.manifest/<service>.json`
(a dot path: never served): `{"store": "<store id>" | null, "revision": <store revision>,
"stream": "<newest articles-stream entry id applied>", "covered": "<newest entry the last
full rebuild covered>"}`. A full rebuild writes it; every batch a service applies raises its
revision and stream position (never lowers them for the same store); the batches of entries
up to `covered` need no work (shared.site_keeper skips them). At start, and when Redis comes
back, `verdict` compares it with the store (shared.site_keeper acts on the answer):

- no manifest (a missing, new or emptied folder) → rebuild, unless the store is empty while
  the folder holds a site;
- the same store, at or above the manifest's revision → up to date (what is left is in the
  consumer group's backlog), unless the group acknowledged entries after the manifest's
  stream position (the folder is an older copy of itself: those changes are in no backlog
  any more) → rebuild;
- another store → rebuild, unless that store is empty or younger (revision lower) than the
  manifest: an emptied Redis or an old backup is an operator's problem, never a reason to
  delete a site (`newsroom rebuild --force` is the explicit way).

A refusal is written into the manifest (`"refused": "<reason>"`) and sticks: an emptied store
that is written to again is not taken for another store to rebuild from. It ends when the
store the manifest names comes back (a restored Redis) or with `newsroom rebuild --force`.
"""

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from shared.files import locked, site_path, write_atomic

MANIFEST_DIR = ".manifest"


@dataclass(frozen=True)
class Manifest:
    """The store a service's files come from, and the revision they reflect at least."""

    store: str | None
    revision: int
    refused: str | None = None
    stream: str = "0-0"
    # The newest articles-stream entry a full rebuild covered: entries up to it need no work.
    covered: str = "0-0"


@dataclass(frozen=True)
class StoreFacts:
    """What the check needs to know of the store: its id, revision and article count, the
    newest entry of the articles stream, and whether the service's group acknowledged
    entries after the manifest's stream position (`unapplied`)."""

    store: str | None
    revision: int
    articles: int
    last_entry: str = "0-0"
    unapplied: bool = False


def rebuilt(facts: StoreFacts) -> Manifest:
    """The manifest a full rebuild from the store `facts` describe records: its revision, and
    the stream position read before it began as both the newest entry applied and covered."""
    last = facts.last_entry
    return Manifest(facts.store, facts.revision, stream=last, covered=last)


def entry_key(entry_id: str) -> tuple[int, int]:
    """A stream entry id ("<ms>-<seq>") as numbers, to compare."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


class Action(StrEnum):
    """What a service does with its part of the public folder."""

    OK = "ok"
    REBUILD = "rebuild"
    REFUSE = "refuse"


def manifest_path(root: Path, service: str) -> Path:
    """Where `service` keeps its manifest under the public folder `root`."""
    return root / MANIFEST_DIR / f"{service}.json"


def read_manifest(root: Path, service: str) -> Manifest | None:
    """The service's manifest, None when missing or unreadable."""
    try:
        data = json.loads(manifest_path(root, service).read_bytes())
        stream, covered = str(data.get("stream", "0-0")), str(data.get("covered", "0-0"))
        entry_key(stream), entry_key(covered)  # a malformed position: an unreadable manifest
        refused = data.get("refused")
        return Manifest(data["store"], int(data["revision"]), refused, stream, covered)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def record(
    root: Path, service: str, manifest: Manifest, *, force: bool = False, sync: bool = True
) -> None:
    """Write the manifest (durably unless `sync` is False); for the same store a lower
    revision never replaces a higher one (batches of several replicas finish in any order)
    and a refusal stays, unless `force` (a rebuild, a refusal, its end)."""
    path = manifest_path(root, service)
    with locked(path.with_suffix(".lock")):
        current = read_manifest(root, service)
        if not force and current is not None and current.store == manifest.store:
            revision = max(manifest.revision, current.revision)
            stream = max(manifest.stream, current.stream, key=entry_key)
            covered = max(manifest.covered, current.covered, key=entry_key)
            manifest = Manifest(manifest.store, revision, current.refused, stream, covered)
        write_atomic(path, json.dumps(asdict(manifest)).encode(), sync=sync)


def has_site(root: Path, landmark: str) -> bool:
    """Whether the folder holds a site: the file at site path `landmark` (home, site feed)."""
    return site_path(root, landmark).is_file()


def verdict(manifest: Manifest | None, store: StoreFacts, site: bool) -> tuple[Action, str]:
    """What to do with a service's files, and why (see the module's docstring)."""
    if manifest is None:
        if site and not store.articles:
            return Action.REFUSE, "the store is empty and the public folder holds a site"
        return Action.REBUILD, "the public folder has no manifest (missing or new folder)"
    if manifest.store == store.store:
        if store.revision < manifest.revision:
            return Action.REFUSE, (
                f"the store (revision {store.revision}) is older than the site "
                f"(revision {manifest.revision}): restored from an older backup?"
            )
        if store.unapplied:
            return Action.REBUILD, (
                f"the folder lacks changes acknowledged after stream entry {manifest.stream} "
                "(an older copy of the folder?)"
            )
        return Action.OK, "up to date"
    if not store.articles:
        return (
            Action.REFUSE,
            f"the store is empty; the site was written from store {manifest.store}",
        )
    if store.revision < manifest.revision:
        return Action.REFUSE, (
            f"the store {store.store} (revision {store.revision}) is younger than the site "
            f"(store {manifest.store}, revision {manifest.revision})"
        )
    if manifest.refused:
        return Action.REFUSE, f"refused before ({manifest.refused}); the store is not the site's"
    return Action.REBUILD, f"the site was written from another store ({manifest.store})"

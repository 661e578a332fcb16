"""The manifest of a service's files, and what a service does with them given the store."""

from pathlib import Path

import pytest

from shared.site_manifest import (
    Action,
    Manifest,
    StoreFacts,
    has_site,
    manifest_path,
    read_manifest,
    rebuilt,
    record,
    verdict,
)

SITE = Manifest("store-a", 1_000)


@pytest.mark.parametrize(
    ("manifest", "store", "site", "action"),
    [
        # No manifest: a missing, new or emptied folder is rebuilt, from any store...
        (None, StoreFacts("store-a", 900, 40), False, Action.REBUILD),
        (None, StoreFacts(None, 0, 0), False, Action.REBUILD),
        (None, StoreFacts("store-a", 900, 40), True, Action.REBUILD),
        # ...but a site without a manifest is not rebuilt from an empty store.
        (None, StoreFacts(None, 0, 0), True, Action.REFUSE),
        # The site's store, at or past its revision: in step (the backlog does the rest).
        (SITE, StoreFacts("store-a", 1_000, 40), True, Action.OK),
        (SITE, StoreFacts("store-a", 5_000, 41), True, Action.OK),
        # ...unless its group acknowledged entries the folder does not reflect (an older copy
        # of the folder): those changes are in no backlog any more.
        (SITE, StoreFacts("store-a", 5_000, 41, unapplied=True), True, Action.REBUILD),
        # The site's store, but older: restored from an older backup.
        (SITE, StoreFacts("store-a", 999, 40), True, Action.REFUSE),
        # Another store: rebuilt, unless empty or younger than the site.
        (SITE, StoreFacts("store-b", 2_000, 3), True, Action.REBUILD),
        (SITE, StoreFacts(None, 0, 0), True, Action.REFUSE),
        (SITE, StoreFacts("store-b", 2_000, 0), True, Action.REFUSE),
        (SITE, StoreFacts("store-b", 999, 3), True, Action.REFUSE),
        # A site written from an empty store is rebuilt once the store has articles.
        (Manifest(None, 0), StoreFacts("store-b", 2_000, 3), True, Action.REBUILD),
        (Manifest(None, 0), StoreFacts(None, 0, 0), True, Action.OK),
        # A refusal sticks: the emptied store written to again is not rebuilt from...
        (Manifest("store-a", 1_000, "emptied"), StoreFacts("store-b", 2_000, 1), True, "refuse"),
        # ...until the site's own store is back.
        (Manifest("store-a", 1_000, "emptied"), StoreFacts("store-a", 1_000, 40), True, "ok"),
    ],
)
def test_verdict(manifest, store, site, action):
    assert verdict(manifest, store, site)[0] == action


def test_a_refusal_names_its_reason():
    action, reason = verdict(SITE, StoreFacts(None, 0, 0), site=True)
    assert action is Action.REFUSE
    assert reason == "the store is empty; the site was written from store store-a"


def test_batches_never_lower_the_revision_of_the_same_store(tmp_path: Path):
    record(tmp_path, "render", Manifest("store-a", 10))
    record(tmp_path, "render", Manifest("store-a", 7))  # a slower replica's older batch
    assert read_manifest(tmp_path, "render") == Manifest("store-a", 10)
    record(tmp_path, "render", Manifest("store-b", 3))  # another store: replaced
    assert read_manifest(tmp_path, "render") == Manifest("store-b", 3)
    record(tmp_path, "render", Manifest("store-b", 1), force=True)  # a rebuild: as it says
    assert read_manifest(tmp_path, "render") == Manifest("store-b", 1)
    assert read_manifest(tmp_path, "feeds") is None


def test_the_stream_position_only_moves_forward_for_the_same_store(tmp_path: Path):
    record(tmp_path, "feeds", Manifest("store-a", 10, stream="1700000000000-2"))
    record(tmp_path, "feeds", Manifest("store-a", 11, stream="999999999999-9"))  # shorter
    assert read_manifest(tmp_path, "feeds") == Manifest("store-a", 11, stream="1700000000000-2")
    record(tmp_path, "feeds", Manifest("store-a", 12, stream="1700000000000-10"))
    assert read_manifest(tmp_path, "feeds") == Manifest("store-a", 12, stream="1700000000000-10")


def test_batches_keep_what_the_last_rebuild_covered(tmp_path: Path):
    rebuilt = Manifest("store-a", 10, stream="1700000000000-5", covered="1700000000000-5")
    record(tmp_path, "render", rebuilt, force=True)
    record(tmp_path, "render", Manifest("store-a", 11, stream="1700000000001-0"))
    after = Manifest("store-a", 11, stream="1700000000001-0", covered="1700000000000-5")
    assert read_manifest(tmp_path, "render") == after
    record(tmp_path, "render", Manifest("store-b", 2))  # another store: covers nothing
    assert read_manifest(tmp_path, "render") == Manifest("store-b", 2)


def test_a_rebuild_covers_the_stream_position_read_before_it():
    facts = StoreFacts("store-a", 12, 40, last_entry="1700000000000-7")
    assert rebuilt(facts) == Manifest(
        "store-a", 12, stream="1700000000000-7", covered="1700000000000-7"
    )


def test_a_batch_keeps_a_refusal_and_a_rebuild_ends_it(tmp_path: Path):
    record(tmp_path, "render", Manifest("store-a", 10, "emptied"), force=True)
    record(tmp_path, "render", Manifest("store-a", 12))
    assert read_manifest(tmp_path, "render") == Manifest("store-a", 12, "emptied")
    record(tmp_path, "render", Manifest("store-a", 12), force=True)
    assert read_manifest(tmp_path, "render") == Manifest("store-a", 12)


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"{",
        b"[]",
        b'{"store": "a"}',
        b'{"revision": "x"}',
        b'{"store": "a", "revision": 1, "stream": "x-y"}',
        b'{"store": "a", "revision": 1, "covered": "later"}',
    ],
)
def test_an_unreadable_manifest_is_no_manifest(tmp_path: Path, garbage: bytes):
    path = manifest_path(tmp_path, "render")
    path.parent.mkdir(parents=True)
    path.write_bytes(garbage)
    assert read_manifest(tmp_path, "render") is None


def test_a_site_is_its_landmark_file(tmp_path: Path):
    assert not has_site(tmp_path, "/")
    (tmp_path / "404.html").write_text("not a site yet")
    assert not has_site(tmp_path, "/")
    (tmp_path / "index.html").write_text("home")
    assert has_site(tmp_path, "/")

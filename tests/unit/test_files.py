"""The public folder: atomic writes, and no path that escapes it."""

from datetime import UTC, datetime, timedelta

import pytest

from shared.files import UnsafePathError, remove, revision_file, site_path, write_atomic
from shared.public_writer import PublicWriter, generation_version


def write_versioned(root, url, data, version):
    """Write (`data` None: remove) one file at `version`, durably; True if it changed."""
    writer = PublicWriter(root, version)
    changed = writer.write(url, data) if data is not None else writer.delete(url)
    writer.sync()
    return changed


def test_folder_url_maps_to_its_index(tmp_path):
    assert site_path(tmp_path, "/2026/11/25/slug/") == tmp_path / "2026/11/25/slug/index.html"
    assert site_path(tmp_path, "/feeds/rss.xml") == tmp_path / "feeds/rss.xml"


@pytest.mark.parametrize(
    "url",
    ["/../etc/passwd", "/a/../../x", "/a\\..\\b", "/a\x00b/", "relative/", "/./x"],
)
def test_paths_leaving_the_public_folder_are_refused(tmp_path, url):
    with pytest.raises(UnsafePathError):
        site_path(tmp_path, url)


def test_percent_encoded_dots_are_a_literal_folder_name_inside_the_folder(tmp_path):
    assert site_path(tmp_path, "/%2e%2e/") == tmp_path / "%2e%2e" / "index.html"


def test_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "public"
    root.mkdir()
    (root / "escape").symlink_to(outside)
    with pytest.raises(UnsafePathError):
        site_path(root, "/escape/file.html")


def test_write_is_atomic_and_reports_whether_content_changed(tmp_path):
    target = tmp_path / "a" / "index.html"
    assert write_atomic(target, b"one") is True
    assert write_atomic(target, b"one") is False
    assert write_atomic(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["index.html"]
    assert remove(target) is True
    assert remove(target) is False


def test_an_older_revision_never_replaces_newer_output(tmp_path):
    # A page written at revision 7 is not replaced, nor removed, by a writer at revision 5.
    assert write_versioned(tmp_path, "/a/", b"seven", 7) is True
    assert write_versioned(tmp_path, "/a/", b"five", 5) is False
    assert write_versioned(tmp_path, "/a/", None, 5) is False
    assert (tmp_path / "a/index.html").read_bytes() == b"seven"

    # The same revision writes again (a crash may have left the record ahead of the file),
    # a newer one replaces it, and a removal is remembered like a write.
    assert write_versioned(tmp_path, "/a/", b"seven, again", 7) is True
    assert write_versioned(tmp_path, "/a/", None, 9) is True
    assert not (tmp_path / "a/index.html").exists()
    assert write_versioned(tmp_path, "/a/", b"eight", 8) is False
    assert int(revision_file(tmp_path, tmp_path / "a/index.html").read_text()) == 9
    assert not revision_file(tmp_path, tmp_path / "b/index.html").exists()


def test_versioned_writes_refuse_paths_outside_the_folder(tmp_path):
    with pytest.raises(UnsafePathError):
        write_versioned(tmp_path / "public", "/../escape.html", b"x", 1)
    assert list(tmp_path.iterdir()) == []


def test_a_link_inside_the_folder_to_inside_the_folder_is_followed(tmp_path):
    (tmp_path / "images-2026").mkdir()
    (tmp_path / "images").symlink_to(tmp_path / "images-2026")
    assert site_path(tmp_path, "/images/a.jpg") == tmp_path / "images" / "a.jpg"


def test_a_path_through_a_file_is_inside_the_folder_and_cannot_be_written(tmp_path):
    (tmp_path / "index.html").write_text("home")
    path = site_path(tmp_path, "/index.html/x/")
    assert path == tmp_path / "index.html" / "x" / "index.html"
    with pytest.raises(NotADirectoryError):
        write_versioned(tmp_path, "/index.html/x/", b"x", 1)


def test_data_files_are_versioned_by_the_time_they_were_generated(tmp_path):
    # Two runs of the rankings finish out of order: the later count stays.
    later = datetime(2026, 11, 25, 12, 0, 1, tzinfo=UTC)
    newer = PublicWriter(tmp_path, generation_version(later))
    older = PublicWriter(tmp_path, generation_version(later - timedelta(milliseconds=1)))
    assert newer.write("/data/popular.json", b"later") is True
    assert older.write("/data/popular.json", b"earlier") is False
    assert (tmp_path / "data/popular.json").read_bytes() == b"later"
    assert newer.wrote("/data/popular.json") and not newer.wrote("/data/views.json")

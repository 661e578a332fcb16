"""The public folder: atomic writes, and no path that escapes it."""

import pytest

from shared.files import UnsafePathError, remove, site_path, write_atomic


def test_folder_url_maps_to_its_index(tmp_path):
    assert site_path(tmp_path, "/2026/11/25/slug/") == tmp_path / "2026/11/25/slug/index.html"
    assert site_path(tmp_path, "/feeds/rss.xml") == tmp_path / "feeds/rss.xml"


@pytest.mark.parametrize(
    "url",
    ["/../etc/passwd", "/a/../../x", "/a\\..\\b", "/a\x00b/", "relative/", "/./x", "/%2e%2e/"],
)
def test_paths_leaving_the_public_folder_are_refused(tmp_path, url):
    if url == "/%2e%2e/":
        # Percent-encoded dots are literal folder names here, still inside the root.
        assert site_path(tmp_path, url).is_relative_to(tmp_path)
        return
    with pytest.raises(UnsafePathError):
        site_path(tmp_path, url)


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

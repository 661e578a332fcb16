"""The media folder: uploads kept durably, their variants derived, and placed on the site.

    <media>/<id[:2]>/<id>/original.<ext>   the bytes as uploaded (fsynced)
    <media>/<id[:2]>/<id>/<width>.<ext>    the variants (shared.media)
    <media>/<id[:2]>/<id>/meta.json        written last: an upload without it never finished

The media folder is the durable copy (back it up with Redis); the public folder only ever
gets the variants of images that live articles use (SiteRenderer), so an image uploaded for
a scheduled article cannot be fetched before the article is out.
"""

import contextlib
import logging
import os
import re
from pathlib import Path

from PIL import Image
from pydantic import ValidationError

from shared.files import write_atomic
from shared.media import (
    FORMATS,
    MEDIA_ID_PATTERN,
    MediaInfo,
    media_folder,
    new_media_id,
)
from shared.media_images import encode, read_image

log = logging.getLogger(__name__)
META = "meta.json"
_MEDIA_ID = re.compile(MEDIA_ID_PATTERN)


class MediaLibrary:
    """The uploads kept under `root`."""

    def __init__(self, root: Path, max_pixels: int = 40_000_000) -> None:
        self.root = root
        self.max_pixels = max_pixels

    def folder(self, media_id: str) -> Path:
        """The folder of one upload (`media_id` must match MEDIA_ID_PATTERN)."""
        if not _MEDIA_ID.match(media_id):
            raise ValueError(f"not a media id: {media_id!r}")
        return self.root / media_folder(media_id)

    def save(self, data: bytes) -> MediaInfo:
        """Validate an upload, keep it and derive its variants, all durably, before returning
        what it is; MediaRejectedError (shared.media_images) when it cannot be taken."""
        upload = read_image(data, self.max_pixels)
        media_id = new_media_id()
        folder = self.folder(media_id)
        _make_folder(folder)
        ext = FORMATS[upload.format][0]
        write_atomic(folder / f"original.{ext}", data)
        info = MediaInfo(
            id=media_id, format=upload.format, width=upload.image.width, height=upload.image.height
        )
        for name in info.files:
            width, ext = name.split(".")
            info.sizes[name] = self._write_variant(folder / name, upload.image, int(width), ext)
        write_atomic(folder / META, info.model_dump_json().encode())
        return info

    def info(self, media_id: str) -> MediaInfo | None:
        """What is known of an upload; None for an unknown id (or one never finished)."""
        if not _MEDIA_ID.match(media_id):
            return None
        with contextlib.suppress(FileNotFoundError, ValidationError):
            return MediaInfo.model_validate_json((self.folder(media_id) / META).read_bytes())
        return None

    def restore(self, info: MediaInfo) -> None:
        """Derive again the variants missing from the media folder (lost, or deleted)."""
        folder = self.folder(info.id)
        missing = [name for name in info.files if not (folder / name).exists()]
        if not missing:
            return
        original = (folder / f"original.{info.ext}").read_bytes()
        image = read_image(original, self.max_pixels).image
        for name in missing:
            width, ext = name.split(".")
            info.sizes[name] = self._write_variant(folder / name, image, int(width), ext)
        write_atomic(folder / META, info.model_dump_json().encode())
        log.info("media variants restored", extra={"media_id": info.id, "files": missing})

    def place(self, info: MediaInfo, public: Path) -> list[Path]:
        """Copy the variants missing from `<public>/media/…` there (unsynced; the caller syncs
        the returned files and their folder), deriving again any the media folder lost."""
        self.restore(info)
        source = self.folder(info.id)
        target = public / "media" / media_folder(info.id)
        written = []
        for name in info.files:
            if not (target / name).exists():
                write_atomic(target / name, (source / name).read_bytes(), sync=False)
                written.append(target / name)
        return written

    @staticmethod
    def _write_variant(path: Path, image: Image.Image, width: int, ext: str) -> int:
        fmt = next(f for f, (e, _) in FORMATS.items() if e == ext)
        data = encode(image, width, fmt)
        write_atomic(path, data)
        return len(data)


def _make_folder(folder: Path) -> None:
    """Create `folder` and make its entry (and its parent's) durable."""
    folder.mkdir(parents=True, exist_ok=True)
    for parent in (folder.parent, folder.parent.parent):
        fd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

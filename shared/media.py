"""Uploaded images: their ids, the widths derived from them and where those live on the site.

An upload is kept in the media folder (NEWSROOM_MEDIA_DIR, shared.media_library) as its
original and one file per variant: each width of WIDTHS the image reaches (never upscaled;
a narrower image gets one variant at its own width), as WebP and in the original's format.
Render copies the variants to `<public>/media/…` when an article using them goes live.
"""

import secrets
from dataclasses import dataclass

from pydantic import BaseModel

MEDIA_ID_PATTERN = r"^[0-9a-f]{32}$"
WIDTHS = (480, 960, 1600)
# The width list pages show (teasers), at most.
TEASER_WIDTH = 960
# How wide the lead image is drawn: the article column on wide screens, else the viewport.
LEAD_SIZES = "(min-width: 60rem) 46rem, 100vw"
# Pillow's format name → (file extension, MIME type) of the formats an upload may have.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


def new_media_id() -> str:
    """An id nobody can guess (128 random bits)."""
    return secrets.token_hex(16)


def variant_widths(width: int) -> list[int]:
    """The widths derived from an image `width` pixels wide, narrowest first."""
    return sorted({min(w, width) for w in WIDTHS})


def media_folder(media_id: str) -> str:
    """The folder of an upload, relative to the media folder and to `<public>/media/`."""
    return f"{media_id[:2]}/{media_id}"


def variant_url(media_id: str, width: int, ext: str) -> str:
    """The site path of one variant."""
    return f"/media/{media_folder(media_id)}/{width}.{ext}"


def teaser_url(media_id: str, width: int | None) -> str:
    """The WebP variant list pages show."""
    return variant_url(media_id, min(TEASER_WIDTH, width or TEASER_WIDTH), "webp")


class MediaInfo(BaseModel):
    """What the media folder records about an upload (`meta.json` beside the original)."""

    id: str
    format: str  # a key of FORMATS
    width: int
    height: int
    sizes: dict[str, int] = {}  # bytes of each variant file, by file name

    @property
    def ext(self) -> str:
        """The original's file extension."""
        return FORMATS[self.format][0]

    @property
    def type(self) -> str:
        """The original's MIME type."""
        return FORMATS[self.format][1]

    @property
    def widths(self) -> list[int]:
        """The widths of the variants."""
        return variant_widths(self.width)

    @property
    def exts(self) -> list[str]:
        """The extensions of the variants: WebP, and the original's format."""
        return list(dict.fromkeys(("webp", self.ext)))

    @property
    def files(self) -> list[str]:
        """The file names of every variant."""
        return [f"{w}.{ext}" for ext in self.exts for w in self.widths]

    @property
    def largest(self) -> str:
        """Site path of the widest variant in the original's format (og:image, enclosures)."""
        return variant_url(self.id, self.widths[-1], self.ext)

    def enclosure(self) -> tuple[str, int | None, int, int]:
        """MIME type, bytes (when recorded), width and height of the `largest` variant."""
        width = self.widths[-1]
        height = max(1, round(self.height * width / self.width))
        return self.type, self.sizes.get(f"{width}.{self.ext}"), width, height

    def srcset(self, ext: str) -> str:
        """`srcset` of the variants with extension `ext`."""
        return ", ".join(f"{variant_url(self.id, w, ext)} {w}w" for w in self.widths)

    def picture(self) -> "Picture":
        """How an article page shows this image."""
        webp = [("image/webp", self.srcset("webp"))] if self.ext != "webp" else []
        return Picture(webp, self.srcset(self.ext), self.largest, self.width, self.height)


@dataclass(frozen=True)
class Picture:
    """A `<picture>`: WebP `<source>`s, then an `<img>` in the original's format."""

    sources: list[tuple[str, str]]  # (MIME type, srcset)
    srcset: str
    src: str
    width: int
    height: int
    sizes: str = LEAD_SIZES

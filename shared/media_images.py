"""Reading uploads and deriving their variants with Pillow.

An upload is identified by its bytes (never by the type its sender claims), its size is read
from the header and checked against the limits before a pixel is decoded (a decompression
bomb costs nothing), then it is decoded whole (truncated or corrupt files are refused).
Variants carry no metadata (EXIF, GPS), and are turned upright as the EXIF orientation says.
"""

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from shared.media import FORMATS

# Sides longer than this are refused whatever the pixel count (a 1 × 10⁷ strip).
MAX_SIDE = 20_000
QUALITY = {"JPEG": 82, "WEBP": 80}


@dataclass(frozen=True)
class MediaRejectedError(Exception):
    """An upload that cannot be taken: the HTTP status to answer and why."""

    status: int
    reason: str


@dataclass(frozen=True)
class Upload:
    """A decoded upload: its format (a key of FORMATS) and its pixels, upright."""

    format: str
    image: Image.Image


def read_image(data: bytes, max_pixels: int) -> Upload:
    """The image in `data`; MediaRejectedError when it is not a JPEG, PNG or WebP (415), is
    larger than the limits (413), or is truncated or corrupt (422)."""
    try:
        image = Image.open(io.BytesIO(data), formats=list(FORMATS))
        _check_size(image.size, max_pixels)  # before a pixel is decoded
        image.load()
        upright = ImageOps.exif_transpose(image)
    except MediaRejectedError:
        raise
    except UnidentifiedImageError:
        raise MediaRejectedError(*_unsupported(data)) from None
    except Image.DecompressionBombError as e:  # Pillow's own guard, past twice its limit
        raise MediaRejectedError(413, f"image too large to decode: {e}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise MediaRejectedError(422, f"image is truncated or corrupt: {e}") from None
    return Upload(str(image.format), upright)


def _check_size(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise MediaRejectedError(422, "image has no pixels")
    if width * height > max_pixels or max(width, height) > MAX_SIDE:
        raise MediaRejectedError(
            413,
            f"image of {width}×{height} pixels over the limit "
            f"({max_pixels} pixels, {MAX_SIDE} per side)",
        )


def _unsupported(data: bytes) -> tuple[int, str]:
    """415 for an image Pillow knows in another format, else 422 (not an image at all)."""
    try:
        with Image.open(io.BytesIO(data)) as other:
            kind = other.format
    except Exception:
        return 422, "not an image (JPEG, PNG or WebP expected)"
    return 415, f"{kind} images are not taken: send JPEG, PNG or WebP"


def encode(image: Image.Image, width: int, fmt: str) -> bytes:
    """`image` scaled down to `width` pixels wide (kept if not wider) and saved as `fmt`."""
    if width < image.width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    image = _mode_for(image, fmt)
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=QUALITY["JPEG"], optimize=True, progressive=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=QUALITY["WEBP"], method=4)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def _mode_for(image: Image.Image, fmt: str) -> Image.Image:
    """`image` in a mode `fmt` stores: RGB for JPEG, RGB or RGBA (when it has alpha) else."""
    alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    mode = "RGBA" if alpha and fmt != "JPEG" else "RGB"
    return image if image.mode == mode else image.convert(mode)

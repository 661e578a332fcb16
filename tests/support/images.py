"""Test images made with Pillow on the fly (no binaries in the repository)."""

import io
import os
import struct
import zlib

from PIL import Image


def picture(width: int, height: int, fmt: str, alpha: bool = False) -> bytes:
    """A `width` × `height` gradient picture (it compresses well) saved as `fmt`."""
    horizontal = Image.linear_gradient("L").resize((width, height))
    vertical = Image.linear_gradient("L").rotate(90).resize((width, height))
    bands = [horizontal, vertical, Image.new("L", (width, height), 128)]
    if alpha:
        bands.append(horizontal)
    image = Image.merge("RGBA" if alpha else "RGB", bands)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def noise(width: int, height: int) -> bytes:
    """A PNG of random pixels: about 3 bytes a pixel, whatever the compression."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG whose header claims `width` × `height` pixels, of a few hundred bytes: whoever
    decodes it before checking its size asks for gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit grey
    row = b"\x00" + b"\x00" * (width // 8)
    data = zlib.compress(row * 100, 9)  # the start of the rows only
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def size_of(data: bytes) -> tuple[str, int, int]:
    """Format, width and height of an image file's bytes."""
    with Image.open(io.BytesIO(data)) as image:
        return str(image.format), image.width, image.height

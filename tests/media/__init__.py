"""Image factories for the media tests: every image is drawn with Pillow, no fixture files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

from PIL import Image

from parley.db import Database
from parley.media import MediaService
from parley.media.images import ImageLimits
from parley.media.storage import LocalDiskStorage
from parley.media.uploads import ReceivedForm
from parley.media.workers import ImageWorkers


def image_bytes(
    image_format: str, size: tuple[int, int] = (40, 30), mode: str = "RGB", **save: Any
) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, "red" if mode != "L" else 128).save(buffer, image_format, **save)
    return buffer.getvalue()


def animation_bytes(
    image_format: str, durations: list[int], size: tuple[int, int] = (30, 20), loop: int = 0
) -> bytes:
    """Frames of distinct colours (identical frames would be merged by the encoder)."""
    frames = [
        Image.new("RGB", size, (index * 7 % 256, 100, 200)) for index in range(len(durations))
    ]
    buffer = io.BytesIO()
    frames[0].save(
        buffer,
        image_format,
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=loop,
    )
    return buffer.getvalue()


def jpeg_with_exif(size: tuple[int, int] = (20, 10), orientation: int = 6) -> bytes:
    """A JPEG that says where it was taken (GPS) and how to rotate it."""
    image = Image.new("RGB", size, "blue")
    exif = image.getexif()
    exif[0x0112] = orientation
    exif[0x010F] = "SpyCam"
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming these dimensions, with almost no data behind."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def media_service(db: Database, tmp_path: Path, *, max_frames: int = 10) -> MediaService:
    """A media service over ``tmp_path`` with small limits, so limit tests stay cheap."""
    return MediaService(
        db,
        LocalDiskStorage(tmp_path / "files"),
        ImageLimits(max_pixels=1_000_000, max_frames=max_frames),
        max_bytes=1_000_000,
        spool_dir=tmp_path / "incoming",
        workers=ImageWorkers(1, 64 * 2**20),
        unattached_max_bytes=20 * 2**20,
    )


def received_form(tmp_path: Path, data: bytes, **fields: str) -> ReceivedForm:
    """What the streaming parser hands over: the fields and the spooled file."""
    path = tmp_path / "spooled"
    path.write_bytes(data)
    return ReceivedForm(fields=fields, file_path=path, file_bytes=len(data))

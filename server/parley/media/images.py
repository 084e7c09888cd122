"""Image checks and re-encoding: type from the bytes, limits before decoding, metadata stripped.

Pure functions on paths and bytes (no web framework), run on the image workers
(``media/workers.py``): ``probe`` reads the header and says what decoding will cost in memory,
``process`` does the work. Animations are re-encoded frame by frame (``media/animation.py``).
Every upload is decoded and written again: what is stored is Pillow's output, never the
visitor's bytes, so EXIF/GPS, comments, ICC profiles and anything smuggled after the image
data (HTML, scripts) is gone.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import (
    GifImagePlugin,
    Image,
    ImageFile,
    ImageOps,
    JpegImagePlugin,
    PngImagePlugin,
    WebPImagePlugin,
)

from parley.errors import PayloadTooLarge, UnsupportedMediaType
from parley.media.animation import encode_gif, encode_webp

THUMB_SIZE = 480
THUMB_CONTENT_TYPE = "image/webp"
# Decoding holds a few copies of one image (or frame) at once: decoded, converted, written
# (Pillow keeps every mode but 1-bit and L in 4 bytes a pixel).
COPIES_HELD = 3
BYTES_PER_PIXEL = 4

_ACCEPTED = "only PNG, JPEG, WebP and GIF images are accepted"

# Format → (its plugin's image class, its content type). The plugin class is opened directly:
# it reads only the header, so our own limits apply before Pillow decodes a single pixel.
_FORMATS: dict[str, tuple[type[ImageFile.ImageFile], str]] = {
    "PNG": (PngImagePlugin.PngImageFile, "image/png"),
    "JPEG": (JpegImagePlugin.JpegImageFile, "image/jpeg"),
    "GIF": (GifImagePlugin.GifImageFile, "image/gif"),
    "WEBP": (WebPImagePlugin.WebPImageFile, "image/webp"),
}


@dataclass(frozen=True)
class ImageLimits:
    max_pixels: int
    max_frames: int


@dataclass(frozen=True)
class Processed:
    """A re-encoded image and its thumbnail, ready to store."""

    data: bytes
    thumb: bytes
    content_type: str
    width: int
    height: int
    frames: int


@dataclass(frozen=True)
class Probe:
    """What the header says, read before any pixel is decoded."""

    image_format: str
    width: int
    height: int
    frames: int

    @property
    def memory_bytes(self) -> int:
        """Memory decoding will hold at once: a still, or one frame of an animation, in the
        copies the work makes of it. What the image workers reserve from their budget."""
        return self.width * self.height * BYTES_PER_PIXEL * COPIES_HELD


def sniff(head: bytes) -> str:
    """The format named by the file's magic number; anything else is refused."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    raise UnsupportedMediaType(f"this file is not an image: {_ACCEPTED}")


def probe(path: Path, limits: ImageLimits) -> Probe:
    """The upload's type, size and frame count from its header; 413/415 when they are refused."""
    with path.open("rb") as handle:
        image_format = sniff(handle.read(16))
    opener, _ = _FORMATS[image_format]
    try:
        with opener(str(path)) as image:
            _check_pixels(image.size, limits)
            frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise PayloadTooLarge("the image is far too large") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise UnsupportedMediaType(f"the image could not be read: {_ACCEPTED}") from None
    if frames > limits.max_frames:
        raise PayloadTooLarge(
            f"the animation has {frames} frames; the limit is {limits.max_frames}"
        )
    return Probe(image_format, image.size[0], image.size[1], frames)


def process(path: Path, limits: ImageLimits) -> Processed:
    """Validate and re-encode the upload at ``path``; refuses with 413 or 415."""
    found = probe(path, limits)
    opener, content_type = _FORMATS[found.image_format]
    max_frame_pixels = min(limits.max_pixels, found.width * found.height)
    try:
        with opener(str(path)) as image:
            if found.frames > 1 and found.image_format == "GIF":
                data = encode_gif(image, max_frame_pixels)
            elif found.frames > 1:
                data = encode_webp(image, max_frame_pixels)
            else:
                data = _encode_still(ImageOps.exif_transpose(image), found.image_format)
            thumb = _thumbnail(image)
    except Image.DecompressionBombError:  # Pillow's own, far above ours: a GIF frame grew
        raise PayloadTooLarge("the image is far too large") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise UnsupportedMediaType(f"the image could not be read: {_ACCEPTED}") from None
    with opener(io.BytesIO(data)) as written:
        return Processed(
            data=data,
            thumb=thumb,
            content_type=content_type,
            width=written.width,
            height=written.height,
            frames=getattr(written, "n_frames", 1),
        )


def _check_pixels(size: tuple[int, int], limits: ImageLimits) -> None:
    width, height = size
    if width * height > limits.max_pixels:
        raise PayloadTooLarge(
            f"the image is {width}×{height} pixels; the limit is {limits.max_pixels:,} pixels"
        )


def _clean(image: Image.Image, image_format: str) -> Image.Image:
    """A copy in a mode the format can write, with no metadata left in ``info``."""
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    if image_format == "JPEG":
        mode = "L" if image.mode == "L" else "RGB"
    elif image_format == "GIF":
        mode = "RGBA" if has_alpha else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if image.mode == "L" else "RGB")
    clean = image.convert(mode)
    clean.info = {}
    return clean


def _save(image: Image.Image, image_format: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    if image_format in {"JPEG", "WEBP"}:
        options.setdefault("quality", 90)
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def _encode_still(image: Image.Image, image_format: str) -> bytes:
    return _save(_clean(image, image_format), image_format)


def _thumbnail(image: Image.Image) -> bytes:
    """A still of the first frame, at most ``THUMB_SIZE`` px on its long side, as WebP."""
    image.seek(0)
    still = _clean(ImageOps.exif_transpose(image), "WEBP")
    still.thumbnail((THUMB_SIZE, THUMB_SIZE))
    return _save(still, "WEBP")

"""Image checks and re-encoding: type from the bytes, limits before decoding, metadata stripped.

Pure functions on paths and bytes (no web framework), run in a worker thread by the caller.
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
    ImageSequence,
    JpegImagePlugin,
    PngImagePlugin,
    WebPImagePlugin,
)

from parley.errors import PayloadTooLarge, UnsupportedMediaType

THUMB_SIZE = 480
THUMB_CONTENT_TYPE = "image/webp"
# An animation's frames together may hold this many times the per-image pixel limit: every
# frame is in memory while the animation is written again.
ANIMATION_PIXEL_FACTOR = 4

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


def process(path: Path, limits: ImageLimits) -> Processed:
    """Validate and re-encode the upload at ``path``; refuses with 413 or 415."""
    with path.open("rb") as handle:
        image_format = sniff(handle.read(16))
    opener, content_type = _FORMATS[image_format]
    try:
        with opener(str(path)) as image:
            _check_pixels(image.size, limits)
            frames = getattr(image, "n_frames", 1)
            if frames > limits.max_frames:
                raise PayloadTooLarge(
                    f"the animation has {frames} frames; the limit is {limits.max_frames}"
                )
            if frames > 1:
                data = _encode_animation(image, image_format, limits)
            else:
                data = _encode_still(ImageOps.exif_transpose(image), image_format)
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


def _encode_animation(image: Image.Image, image_format: str, limits: ImageLimits) -> bytes:
    """Every frame again, with its duration and the loop count; nothing else survives.

    A GIF frame may be larger than the first one (Pillow grows the canvas), so each frame's
    size is checked before it is decoded, and all of them together against the budget.
    """
    frames: list[Image.Image] = []
    durations: list[int] = []
    total_pixels = 0
    for frame in ImageSequence.Iterator(image):
        _check_pixels(frame.size, limits)
        total_pixels += frame.size[0] * frame.size[1]
        if total_pixels > ANIMATION_PIXEL_FACTOR * limits.max_pixels:
            raise PayloadTooLarge(
                f"the animation's frames hold over {ANIMATION_PIXEL_FACTOR} × "
                f"{limits.max_pixels:,} pixels together"
            )
        durations.append(int(frame.info.get("duration", 100)))
        frames.append(_clean(frame.convert("RGBA"), image_format))
    options: dict[str, Any] = {"save_all": True, "append_images": frames[1:], "duration": durations}
    if "loop" in image.info:
        options["loop"] = image.info["loop"]
    if image_format == "GIF":
        options.update(disposal=2, optimize=False)
    return _save(frames[0], image_format, **options)


def _thumbnail(image: Image.Image) -> bytes:
    """A still of the first frame, at most ``THUMB_SIZE`` px on its long side, as WebP."""
    image.seek(0)
    still = _clean(ImageOps.exif_transpose(image), "WEBP")
    still.thumbnail((THUMB_SIZE, THUMB_SIZE))
    return _save(still, "WEBP")

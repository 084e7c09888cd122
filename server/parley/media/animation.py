"""Animations re-encoded one frame at a time, so memory holds a frame or two, never them all.

A 400 KB GIF can unpack to hundreds of full-size frames; holding them all at once (as writing
an animation from a list of frames does) costs hundreds of megabytes. Here each frame is
decoded, cleaned and written before the next is read: a GIF is written block by block, a WebP
through libwebp's animation encoder, which keeps only compressed frames.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from PIL import GifImagePlugin, Image

from parley.errors import PayloadTooLarge

# Keep a GIF's later frames in palette mode when they share the first frame's palette (Pillow
# makes them RGB by default): a quarter of the memory, and no colour quantizing to write them.
GifImagePlugin.LOADING_STRATEGY = GifImagePlugin.LoadingStrategy.RGB_AFTER_DIFFERENT_PALETTE_ONLY

DEFAULT_DURATION_MS = 100


def _frames(
    image: Image.Image, max_frame_pixels: int, durations: list[int], *, keep_palette: bool = False
) -> Iterator[Image.Image]:
    """Each frame on the first frame's canvas, as RGBA (or as it is, when ``keep_palette`` and
    it is paletted), its duration appended to ``durations`` as it is decoded (a WebP frame's
    is known only then). A frame that grew past the size the worker reserved memory for is
    refused before it is decoded."""
    size = image.size
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        width, height = image.size
        if width * height > max_frame_pixels:
            raise PayloadTooLarge(f"frame {index + 1} is {width}×{height} pixels: too large")
        frame = image.copy() if keep_palette and image.mode == "P" else image.convert("RGBA")
        durations.append(int(image.info.get("duration") or DEFAULT_DURATION_MS))
        yield frame if frame.size == size else frame.crop((0, 0, *size))


def encode_gif(image: Image.Image, max_frame_pixels: int) -> bytes:
    """The GIF again, frame by frame: each with its own palette, duration and transparency,
    disposed to the background before the next (as browsers expect of full-canvas frames)."""
    durations: list[int] = []
    info: dict[str, Any] = {"loop": image.info["loop"]} if "loop" in image.info else {}
    out = io.BytesIO()
    frames = _frames(image, max_frame_pixels, durations, keep_palette=True)
    for index, frame in enumerate(frames):
        paletted = _paletted(frame)
        if index == 0:
            header, _ = GifImagePlugin.getheader(paletted, info=dict(info))
            out.writelines(header)
        params: dict[str, Any] = {
            "duration": durations[index],
            "disposal": 2,
            "include_color_table": True,
        }
        if "transparency" in paletted.info:
            params["transparency"] = paletted.info["transparency"]
        out.writelines(GifImagePlugin.getdata(paletted, **params))
    out.write(b";")
    return out.getvalue()


def encode_webp(image: Image.Image, max_frame_pixels: int) -> bytes:
    """The WebP animation again; libwebp pulls the frames from the source one at a time. It
    reads frame i's duration just after adding frame i, so the list is filled in time."""
    durations: list[int] = []
    count = getattr(image, "n_frames", 1)
    frames = _frames(image, max_frame_pixels, durations)
    first = next(frames)
    out = io.BytesIO()
    first.save(
        out,
        "WEBP",
        save_all=True,
        append_images=[_LaterFrames(frames, count - 1)],
        duration=durations,
        loop=image.info.get("loop", 0),
        quality=90,
    )
    return out.getvalue()


class _LaterFrames:
    """What Pillow's WebP writer asks of an appended image (``n_frames``, ``seek``, ``mode``,
    ``getim``), answered from frames decoded only when the writer seeks to them."""

    mode = "RGBA"

    def __init__(self, frames: Iterator[Image.Image], count: int) -> None:
        self._frames = frames
        self.n_frames = count
        self._current: Image.Image | None = None

    def seek(self, index: int) -> None:
        self._current = next(self._frames)

    def getim(self) -> Any:
        assert self._current is not None
        return self._current.getim()


def _paletted(frame: Image.Image) -> Image.Image:
    """A frame in 256 colours: a paletted one as it is (its pixels were decoded, nothing else
    of it is written), an RGBA one quantized, fully transparent pixels sharing one index."""
    if frame.mode == "P":
        return frame
    alpha = frame.getchannel("A")
    paletted = frame.convert("RGB").quantize(255, method=Image.Quantize.FASTOCTREE)
    colours = paletted.getpalette() or []
    paletted.putpalette(colours + [0] * (768 - len(colours)))  # index 255 exists, unused
    hidden = alpha.point(lambda value: 255 if value < 128 else 0)
    if hidden.getbbox() is not None:  # some pixel is transparent
        transparent = 255
        paletted.paste(transparent, mask=hidden)
        paletted.info["transparency"] = transparent
    return paletted

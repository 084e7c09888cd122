"""Images: type from the bytes, limits before decoding, metadata stripped, animation kept."""

from __future__ import annotations

import io
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image

from parley.errors import PayloadTooLarge, UnsupportedMediaType
from parley.media.images import THUMB_SIZE, ImageLimits, Processed, process
from tests.media import animation_bytes, image_bytes, jpeg_with_exif, png_header

LIMITS = ImageLimits(max_pixels=40_000_000, max_frames=300)


def run(tmp_path: Path, data: bytes, limits: ImageLimits = LIMITS) -> Processed:
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return process(path, limits)


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize(
    ("image_format", "mode", "content_type"),
    [
        ("PNG", "RGBA", "image/png"),
        ("PNG", "P", "image/png"),
        ("JPEG", "RGB", "image/jpeg"),
        ("JPEG", "L", "image/jpeg"),
        ("WEBP", "RGB", "image/webp"),
        ("GIF", "RGB", "image/gif"),
    ],
)
def test_every_allowed_type_is_re_encoded_as_itself(
    tmp_path: Path, image_format: str, mode: str, content_type: str
) -> None:
    result = run(tmp_path, image_bytes(image_format, (640, 360), mode))
    assert (result.content_type, result.width, result.height, result.frames) == (
        content_type,
        640,
        360,
        1,
    )
    assert opened(result.data).format == image_format
    thumb = opened(result.thumb)
    assert thumb.format == "WEBP"
    assert thumb.size == (THUMB_SIZE, 270)


def test_exif_and_gps_are_stripped_after_applying_the_orientation(tmp_path: Path) -> None:
    source = jpeg_with_exif((20, 10), orientation=6)
    assert opened(source).getexif()[0x0112] == 6
    result = run(tmp_path, source)
    assert (result.width, result.height) == (10, 20)
    written = opened(result.data)
    assert dict(written.getexif()) == {}
    assert "exif" not in written.info
    assert b"SpyCam" not in result.data
    assert opened(result.thumb).size == (10, 20)


@pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
def test_metadata_is_stripped_from_png_and_webp(tmp_path: Path, image_format: str) -> None:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    result = run(tmp_path, image_bytes(image_format, exif=exif.tobytes()))
    assert b"SpyCam" not in result.data
    assert dict(opened(result.data).getexif()) == {}


def test_an_animated_gif_keeps_its_frames_durations_and_loop(tmp_path: Path) -> None:
    durations = [100, 250, 400, 80]
    result = run(tmp_path, animation_bytes("GIF", durations, loop=3))
    assert (result.content_type, result.frames) == ("image/gif", 4)
    written = opened(result.data)
    kept = []
    for index in range(written.n_frames):
        written.seek(index)
        kept.append(written.info["duration"])
    assert kept == durations
    assert written.info["loop"] == 3
    assert getattr(opened(result.thumb), "n_frames", 1) == 1  # the thumbnail is a still


def test_an_animated_webp_stays_animated(tmp_path: Path) -> None:
    result = run(tmp_path, animation_bytes("WEBP", [100, 200, 300]))
    assert (result.content_type, result.frames) == ("image/webp", 3)


GIF_HEADER = image_bytes("GIF")[:13]


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
        b"<!doctype html><html><script>alert(1)</script></html>",
        GIF_HEADER + b"<html><script>alert(document.cookie)</script></html>",
        b"\x89PNG\r\n\x1a\n<html>not really a png</html>",
        b"just some text renamed to screenshot.png",
        b"",
        image_bytes("BMP"),
        image_bytes("TIFF"),
    ],
    ids=["svg", "svg-xml", "html", "gif-html-polyglot", "png-html", "text", "empty", "bmp", "tiff"],
)
def test_anything_but_the_four_image_types_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(UnsupportedMediaType, match="PNG, JPEG, WebP and GIF"):
        run(tmp_path, data)


def test_too_many_pixels_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PayloadTooLarge, match="100×100 pixels"):
        run(tmp_path, image_bytes("PNG", (100, 100)), ImageLimits(max_pixels=9_999, max_frames=300))


def test_too_many_frames_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PayloadTooLarge, match="5 frames"):
        run(
            tmp_path, animation_bytes("GIF", [50] * 5), ImageLimits(max_pixels=10_000, max_frames=4)
        )


def test_a_decompression_bomb_is_refused_from_its_header_with_bounded_memory(
    tmp_path: Path,
) -> None:
    bomb = png_header(100_000, 100_000)
    assert len(bomb) < 200
    tracemalloc.start()
    try:
        with pytest.raises(PayloadTooLarge, match="100000×100000"):
            run(tmp_path, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024


@pytest.mark.parametrize("side", [2_000, 60_000])
def test_a_gif_frame_larger_than_the_first_is_refused_before_decoding(
    tmp_path: Path, side: int
) -> None:
    data = bytearray(animation_bytes("GIF", [100, 200], size=(4, 4)))
    second = data.index(b",\x00\x00\x00\x00\x04\x00\x04\x00", data.index(b",") + 1)
    data[second + 5 : second + 9] = side.to_bytes(2, "little") * 2  # its width and height
    with pytest.raises(PayloadTooLarge):
        run(tmp_path, bytes(data), ImageLimits(max_pixels=1_000_000, max_frames=10))


# The peak of this process's own memory (VmHWM; ru_maxrss would include the parent's).
MEASURE_PEAK = """
import re, sys
from pathlib import Path
from parley.media.images import ImageLimits, process
def peak_kb():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
before = peak_kb()
processed = process(Path(sys.argv[1]), ImageLimits(max_pixels=40_000_000, max_frames=300))
print(processed.frames, (peak_kb() - before) // 1024)
"""


def test_an_animation_is_re_encoded_frame_by_frame_within_bounded_memory(
    tmp_path: Path,
) -> None:
    """80 frames of 600x600 unpack to 115 MB of RGBA; one frame at a time stays far below."""
    frames = [Image.new("RGB", (600, 600), (index * 3, 90, 160)) for index in range(80)]
    path = tmp_path / "big.gif"
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=40, loop=0)
    del frames
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE_PEAK, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    frame_count, peak_growth_mb = map(int, measured.stdout.split())
    assert frame_count == 80
    assert peak_growth_mb < 40, f"peak RSS grew by {peak_growth_mb} MB"

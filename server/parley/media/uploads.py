"""Receive a multipart upload as a stream: the file goes to a temporary file, never to memory.

The body is parsed chunk by chunk with python-multipart's streaming parser and a byte counter
refuses it (413) the moment it passes the limit, so a client cannot make the server hold or
spool more than ``max_bytes``. A NUL in a text field or a part's header is refused (400), as
everywhere text enters (``parley.storable``). Takes an async iterator of chunks, not a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header

from parley.errors import BadRequest, PayloadTooLarge
from parley.storable import NUL, NUL_REFUSED

FILE_FIELD = "file"
# Room for the multipart framing and the small text fields around the file.
FORM_OVERHEAD_BYTES = 16 * 1024
MAX_FIELD_BYTES = 200


@dataclass
class ReceivedForm:
    """The text fields of the form and where the file part was spooled."""

    fields: dict[str, str]
    file_path: Path | None
    file_bytes: int


@dataclass
class _Part:
    name: str = ""
    value: bytearray = field(default_factory=bytearray)


class _FormReader:
    """python-multipart callbacks: text fields into small buffers, the file onto disk."""

    def __init__(self, spool: IO[bytes], max_bytes: int) -> None:
        self.spool = spool
        self.max_bytes = max_bytes
        self.fields: dict[str, str] = {}
        self.file_bytes = 0
        self.has_file = False
        self._part = _Part()
        self._header_name = bytearray()
        self._header_value = bytearray()

    def on_part_begin(self) -> None:
        self._part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if b"\x00" in self._header_value:  # a field's name or a file's name
            raise BadRequest(f"a part's header: {NUL_REFUSED}")
        if self._header_name.lower() == b"content-disposition":
            _, options = parse_options_header(bytes(self._header_value))
            self._part.name = options.get(b"name", b"").decode("utf-8", "replace")
        self._header_name, self._header_value = bytearray(), bytearray()

    def on_headers_finished(self) -> None:
        if self._part.name == FILE_FIELD:
            if self.has_file:
                raise BadRequest("send one file per upload")
            self.has_file = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.name == FILE_FIELD:
            self.file_bytes += end - start
            if self.file_bytes > self.max_bytes:
                raise PayloadTooLarge(f"the file is larger than {self.max_bytes:,} bytes")
            self.spool.write(data[start:end])
            return
        self._part.value += data[start:end]
        if len(self._part.value) > MAX_FIELD_BYTES:
            raise BadRequest(f"the form field {self._part.name!r} is too long")

    def on_part_end(self) -> None:
        if self._part.name and self._part.name != FILE_FIELD:
            value = self._part.value.decode("utf-8", "replace").strip()
            if NUL in value:
                raise BadRequest(f"the form field {self._part.name!r}: {NUL_REFUSED}")
            self.fields[self._part.name] = value


def _boundary(content_type: str) -> bytes:
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadRequest("send the upload as multipart/form-data with a `file` field")
    return boundary


@contextlib.asynccontextmanager
async def receive_form(
    chunks: AsyncIterator[bytes], content_type: str, *, max_bytes: int, spool_dir: Path
) -> AsyncIterator[ReceivedForm]:
    """Parse the body; the spooled file exists inside the ``async with`` and is removed after."""
    parser_boundary = _boundary(content_type)
    await asyncio.to_thread(spool_dir.mkdir, parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=spool_dir, prefix="upload-", suffix=".part") as spool:
        reader = _FormReader(spool, max_bytes)
        parser = MultipartParser(
            parser_boundary,
            callbacks={
                "on_part_begin": reader.on_part_begin,
                "on_header_field": reader.on_header_field,
                "on_header_value": reader.on_header_value,
                "on_header_end": reader.on_header_end,
                "on_headers_finished": reader.on_headers_finished,
                "on_part_data": reader.on_part_data,
                "on_part_end": reader.on_part_end,
            },
        )
        received = 0
        async for chunk in chunks:
            received += len(chunk)
            if received > max_bytes + FORM_OVERHEAD_BYTES:
                raise PayloadTooLarge(f"the upload is larger than {max_bytes:,} bytes")
            try:  # parsing calls the callbacks, which write to disk: off the event loop
                await asyncio.to_thread(parser.write, chunk)
            except ValueError as exc:  # python-multipart's parse errors are ValueErrors
                raise BadRequest(f"the multipart body is malformed: {exc}") from None
        try:
            parser.finalize()
        except ValueError as exc:
            raise BadRequest(f"the multipart body is malformed: {exc}") from None
        spool.flush()
        yield ReceivedForm(
            fields=reader.fields,
            file_path=Path(spool.name) if reader.has_file else None,
            file_bytes=reader.file_bytes,
        )

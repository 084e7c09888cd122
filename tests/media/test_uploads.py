"""Receiving uploads as a stream, storing files behind the storage interface, recording rows."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parley.db import Database
from parley.errors import BadRequest, NotFound, PayloadTooLarge, UnsupportedMediaType
from parley.media import Party
from parley.media.storage import LocalDiskStorage, new_key
from parley.media.uploads import receive_form
from tests.media import image_bytes, media_service, received_form
from tests.support.factories import new_conversation

CHUNK = 4096


def multipart(fields: dict[str, str], file: bytes | None) -> tuple[bytes, str]:
    """A multipart body and its content type, as a browser's FormData would send them."""
    request = httpx.Request(
        "POST",
        "http://parley.test/",
        data=fields,
        files={"file": ("shot.png", file, "image/png")} if file is not None else None,
    )
    return request.read(), request.headers["content-type"]


class Chunks:
    """The body in small pieces, counting how many the receiver asked for."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), CHUNK):
            self.pulled += 1
            yield self.body[start : start + CHUNK]


async def test_fields_are_read_and_the_file_is_spooled_then_removed(tmp_path: Path) -> None:
    data = image_bytes("PNG", (300, 300))
    body, content_type = multipart({"conversation_id": "cnv_1"}, data)
    async with receive_form(
        aiter(Chunks(body)), content_type, max_bytes=1_000_000, spool_dir=tmp_path
    ) as form:
        assert form.fields == {"conversation_id": "cnv_1"}
        assert form.file_path is not None
        assert form.file_path.read_bytes() == data
        assert form.file_bytes == len(data)
    assert os.listdir(tmp_path) == []


async def test_a_body_over_the_limit_is_refused_while_it_streams(tmp_path: Path) -> None:
    body, content_type = multipart({"conversation_id": "cnv_1"}, b"x" * 200_000)
    chunks = Chunks(body)
    with pytest.raises(PayloadTooLarge, match="larger than 10,000 bytes"):
        async with receive_form(aiter(chunks), content_type, max_bytes=10_000, spool_dir=tmp_path):
            pass
    assert chunks.pulled < 5  # stopped at the limit, not after the whole body
    assert os.listdir(tmp_path) == []


@settings(max_examples=50, deadline=None)
@given(cuts=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=30))
def test_chunk_boundaries_do_not_matter(cuts: list[int]) -> None:
    data = image_bytes("PNG", (50, 50))
    body, content_type = multipart({"conversation_id": "cnv_1", "source_attachment_id": "a"}, data)

    async def chunks() -> AsyncIterator[bytes]:
        start = 0
        for size in [*cuts, len(body)]:
            yield body[start : start + size]
            start += size

    async def receive(spool_dir: Path) -> tuple[dict[str, str], bytes]:
        async with receive_form(
            chunks(), content_type, max_bytes=100_000, spool_dir=spool_dir
        ) as form:
            assert form.file_path is not None
            return form.fields, form.file_path.read_bytes()

    with tempfile.TemporaryDirectory() as spool_dir:
        fields, received = asyncio.run(receive(Path(spool_dir)))
    assert fields == {"conversation_id": "cnv_1", "source_attachment_id": "a"}
    assert received == data


@pytest.mark.parametrize(
    "content_type", ["application/json", "image/png", "multipart/form-data", ""]
)
async def test_only_multipart_form_data_is_accepted(tmp_path: Path, content_type: str) -> None:
    with pytest.raises(BadRequest, match="multipart/form-data"):
        async with receive_form(
            aiter(Chunks(b"{}")), content_type, max_bytes=10_000, spool_dir=tmp_path
        ):
            pass


async def test_local_disk_storage_puts_opens_and_deletes(tmp_path: Path) -> None:
    storage = LocalDiskStorage(tmp_path)
    key = new_key()
    await storage.put(key, b"bytes")
    assert await storage.open(key) == b"bytes"
    await storage.delete(key)
    await storage.delete(key)  # deleting twice is fine
    with pytest.raises(NotFound):
        await storage.open(key)
    with pytest.raises(ValueError, match="not a storage key"):
        await storage.open("../../etc/passwd")


async def test_an_upload_is_stored_recorded_and_readable_only_by_its_parties(
    db: Database, tmp_path: Path
) -> None:
    media = media_service(db, tmp_path)
    conversation = await new_conversation(db)
    visitor_id, conversation_id = conversation.visitor_id, conversation.id
    owner = Party("visitor", visitor_id)
    made = await media.upload(
        received_form(tmp_path, image_bytes("PNG", (64, 48)), conversation_id=conversation_id),
        owner,
    )
    assert made["url"] == f"/api/v1/attachments/{made['attachment_id']}"
    assert (made["content_type"], made["width"], made["height"], made["frames"]) == (
        "image/png",
        64,
        48,
        1,
    )
    assert "source_attachment_id" not in made
    stored = await media.fetch(made["attachment_id"], owner, thumb=False)
    assert (stored.content_type, len(stored.data)) == ("image/png", made["bytes"])
    thumb = await media.fetch(made["attachment_id"], Party("agent", "agt_x"), thumb=True)
    assert thumb.content_type == "image/webp"
    with pytest.raises(NotFound):
        await media.fetch(made["attachment_id"], Party("visitor", "vis_other"), thumb=False)

    annotated = await media.upload(
        received_form(
            tmp_path,
            image_bytes("PNG", (64, 48)),
            conversation_id=conversation_id,
            source_attachment_id=made["attachment_id"],
        ),
        Party("agent", "agt_x"),
    )
    assert annotated["source_attachment_id"] == made["attachment_id"]


async def test_uploads_are_refused_for_strangers_foreign_sources_and_non_images(
    db: Database, tmp_path: Path
) -> None:
    media = media_service(db, tmp_path)
    conversation = await new_conversation(db)
    visitor_id, conversation_id = conversation.visitor_id, conversation.id
    other_conversation = (await new_conversation(db)).id
    png = image_bytes("PNG")
    with pytest.raises(NotFound):
        await media.upload(
            received_form(tmp_path, png, conversation_id=conversation_id), Party("visitor", "vis_x")
        )
    foreign = await media.upload(
        received_form(tmp_path, png, conversation_id=other_conversation), Party("agent", "agt_x")
    )
    with pytest.raises(BadRequest, match="attachment of this conversation"):
        await media.upload(
            received_form(
                tmp_path,
                png,
                conversation_id=conversation_id,
                source_attachment_id=foreign["attachment_id"],
            ),
            Party("visitor", visitor_id),
        )
    with pytest.raises(UnsupportedMediaType):
        await media.upload(
            received_form(tmp_path, b"<svg/>", conversation_id=conversation_id),
            Party("visitor", visitor_id),
        )
    with pytest.raises(BadRequest, match="conversation_id"):
        await media.upload(received_form(tmp_path, png), Party("visitor", visitor_id))

"""Attachments: receive an upload as a stream, check and re-encode it, store it, serve it back.

``MediaService`` is the one door: the HTTP edge hands it a stream of chunks and who is asking;
it answers with the attachment object messages carry, or with the stored bytes. Which storage
backend holds the files is decided here and nowhere else (docs/media.md).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec

from parley.config import Settings
from parley.conversation import access
from parley.conversation import store as conversation_store
from parley.conversation.shapes import attachment
from parley.conversation.store import Conversation
from parley.db import Database
from parley.errors import BadRequest, NotFound, PayloadTooLarge
from parley.identity.store import Agent
from parley.media import store
from parley.media.images import THUMB_CONTENT_TYPE, ImageLimits
from parley.media.storage import LocalDiskStorage, Storage, new_key
from parley.media.uploads import ReceivedForm, receive_form
from parley.media.workers import ImageWorkers


@dataclass(frozen=True)
class Party:
    """Who is uploading or fetching: a visitor (their own conversations) or an agent (those
    ``reads`` allows; the edges build agents with ``agent_party``)."""

    kind: Literal["visitor", "agent"]
    id: str
    reads: Callable[[Conversation], bool] | None = None


async def agent_party(db: Database, agent: Agent) -> Party:
    """An agent reaches the attachments of the conversations they may read: the one rule
    (``conversation.access``) their socket's ``watch`` and the console's search follow."""
    who = await access.reader(db, agent.id, agent.role)
    return Party("agent", agent.id, lambda conversation: access.may_read(conversation, who))


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str


def public_json(row: dict[str, Any]) -> dict[str, Any]:
    """The upload API's answer: the message attachment object, plus its source if annotated."""
    found: dict[str, Any] = msgspec.to_builtins(attachment(row))
    if row["source_attachment_id"]:
        found["source_attachment_id"] = row["source_attachment_id"]
    return found


class MediaService:
    def __init__(
        self,
        db: Database,
        storage: Storage,
        limits: ImageLimits,
        *,
        max_bytes: int,
        spool_dir: Path,
        workers: ImageWorkers,
        unattached_max_bytes: int,
    ) -> None:
        self.db = db
        self.storage = storage
        self.limits = limits
        self.workers = workers
        self.unattached_max_bytes = unattached_max_bytes
        self.max_bytes = max_bytes
        self.spool_dir = spool_dir
        self._uploading: dict[str, asyncio.Lock] = {}  # visitor id -> their upload in progress
        self._upload_users: Counter[str] = Counter()  # visitor id -> uploads holding or waiting

    @classmethod
    def from_settings(cls, db: Database, settings: Settings) -> MediaService:
        return cls(
            db,
            LocalDiskStorage(settings.uploads_dir / "files"),
            ImageLimits(settings.upload_max_pixels, settings.upload_max_frames),
            max_bytes=settings.upload_max_bytes,
            spool_dir=settings.uploads_dir / "incoming",
            workers=ImageWorkers(settings.image_workers, settings.image_memory_mb * 2**20),
            unattached_max_bytes=settings.unattached_upload_mb * 2**20,
        )

    def receive(
        self, chunks: AsyncIterator[bytes], content_type: str
    ) -> AbstractAsyncContextManager[ReceivedForm]:
        """The form, its file spooled to disk under the byte limit (see ``uploads``)."""
        return receive_form(
            chunks, content_type, max_bytes=self.max_bytes, spool_dir=self.spool_dir
        )

    async def upload(self, form: ReceivedForm, party: Party) -> dict[str, Any]:
        """Check who may add to the conversation, re-encode the file, store it, record it."""
        conversation_id = form.fields.get("conversation_id", "")
        if not conversation_id:
            raise BadRequest("the form needs a `conversation_id` field")
        if form.file_path is None:
            raise BadRequest("the form needs a `file` field holding the image")
        conversation = await conversation_store.conversation_by_id(self.db, conversation_id)
        if conversation is None or not _may_use(party, conversation):
            raise NotFound("no such conversation")
        source_id = form.fields.get("source_attachment_id") or None
        if source_id is not None:
            source = await store.attachment_by_id(self.db, source_id)
            if source is None or source["conversation_id"] != conversation_id:
                raise BadRequest(
                    "source_attachment_id must be an attachment of this conversation",
                    code="unknown_attachment",
                )
        if party.kind != "visitor":
            return public_json(await self._store(form, party, conversation_id, source_id))
        async with self._one_upload_at_a_time(party.id):
            await self._check_unattached(party.id, form.file_bytes)
            return public_json(await self._store(form, party, conversation_id, source_id))

    @asynccontextmanager
    async def _one_upload_at_a_time(self, visitor_id: str) -> AsyncIterator[None]:
        """A visitor's uploads in this process go one after another, so two sent at once
        cannot both pass the unattached-bytes check before either is recorded."""
        lock = self._uploading.setdefault(visitor_id, asyncio.Lock())
        self._upload_users[visitor_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._upload_users[visitor_id] -= 1
            if not self._upload_users[visitor_id]:  # nobody holds or waits: forget the visitor
                del self._upload_users[visitor_id], self._uploading[visitor_id]

    async def _check_unattached(self, visitor_id: str, incoming: int) -> None:
        """A visitor may hold only so many bytes of uploads no message carries: uploading
        without ever sending cannot fill the disk."""
        held = await store.unattached_visitor_bytes(self.db, visitor_id)
        if held + incoming > self.unattached_max_bytes:
            raise PayloadTooLarge(
                f"you have {held // 2**20} MB of uploads not sent in any message; send them "
                f"first (the limit is {self.unattached_max_bytes // 2**20} MB)",
                code="unattached_uploads",
            )

    async def upload_unbound(self, form: ReceivedForm, party: Party) -> dict[str, Any]:
        """An agent's upload that belongs to no conversation (the library's originals): only
        agents can read it, and no message can carry it (``attachments_of`` checks)."""
        if party.kind != "agent":
            raise NotFound("no such conversation")
        if form.file_path is None:
            raise BadRequest("the form needs a `file` field holding the image")
        return public_json(await self._store(form, party, None, None))

    async def _store(
        self, form: ReceivedForm, party: Party, conversation_id: str | None, source_id: str | None
    ) -> dict[str, Any]:
        assert form.file_path is not None
        processed = await self.workers.process(form.file_path, self.limits)
        key, thumb_key = new_key(), new_key()
        try:  # no row without its files, and no files left behind without a row
            await self.storage.put(key, processed.data)
            await self.storage.put(thumb_key, processed.thumb)
            return await store.insert_attachment(
                self.db,
                conversation_id=conversation_id,
                uploader_kind=party.kind,
                uploader_id=party.id,
                storage_key=key,
                thumb_key=thumb_key,
                content_type=processed.content_type,
                width=processed.width,
                height=processed.height,
                frames=processed.frames,
                bytes=len(processed.data),
                source_attachment_id=source_id,
            )
        except BaseException:
            await self.storage.delete(key)
            await self.storage.delete(thumb_key)
            raise

    async def copy_to_conversation(
        self, attachment_id: str, conversation_id: str, party: Party
    ) -> dict[str, Any]:
        """A new attachment of ``conversation_id`` with the same bytes: a new row pointing at
        the same stored files (the bytes were checked once; nothing is copied)."""
        conversation = await conversation_store.conversation_by_id(self.db, conversation_id)
        if conversation is None or not _may_use(party, conversation):
            raise NotFound("no such conversation")
        return public_json(await self._copy(attachment_id, party, conversation_id))

    async def copy_unbound(self, attachment_id: str, party: Party) -> dict[str, Any]:
        """An agent's copy, bound to no conversation, of an upload bound to none (a library
        item's picture kept by a saved reply): a new row over the same stored files."""
        source = await store.attachment_by_id(self.db, attachment_id)
        if party.kind != "agent" or source is None or source["conversation_id"] is not None:
            raise NotFound("no such attachment")
        return await self._copy(attachment_id, party, None)

    async def _copy(
        self, attachment_id: str, party: Party, conversation_id: str | None
    ) -> dict[str, Any]:
        """A new row, ``party``'s, over the stored files of ``attachment_id``."""
        copied = await store.copy_attachment(
            self.db,
            attachment_id,
            conversation_id=conversation_id,
            uploader_kind=party.kind,
            uploader_id=party.id,
            source_attachment_id=None,
        )
        if copied is None:
            raise NotFound("no such attachment")
        return copied

    async def unbound(self, attachment_id: str) -> dict[str, Any] | None:
        """The row of an upload bound to no conversation, or None."""
        row = await store.attachment_by_id(self.db, attachment_id)
        return row if row is not None and row["conversation_id"] is None else None

    async def remove(self, attachment_id: str) -> None:
        """Delete the row; its files go too unless a copy still points at them."""
        row = await store.delete_attachment(self.db, attachment_id)
        if row is None:
            return
        for key in (row["storage_key"], row["thumb_key"]):
            if key and not await store.key_in_use(self.db, key):
                await self.storage.delete(key)

    async def fetch(self, attachment_id: str, party: Party, *, thumb: bool) -> StoredFile:
        """The image or its thumbnail; anyone but the conversation's parties gets 404."""
        row = await store.attachment_by_id(self.db, attachment_id)
        if row is None or not await self._may_fetch(party, row):
            raise NotFound("no such attachment")
        if thumb and row["thumb_key"]:
            return StoredFile(await self.storage.open(row["thumb_key"]), THUMB_CONTENT_TYPE)
        return StoredFile(await self.storage.open(row["storage_key"]), row["content_type"])

    async def _may_fetch(self, party: Party, row: dict[str, Any]) -> bool:
        """A conversation's attachment: its visitor and the agents who may read it; one bound
        to no conversation (the library's originals): any agent."""
        if party.kind == "visitor":
            return row["visitor_id"] is not None and row["visitor_id"] == party.id
        if row["conversation_id"] is None or party.reads is None:
            return True
        conversation = await conversation_store.conversation_by_id(self.db, row["conversation_id"])
        return conversation is not None and party.reads(conversation)


def _may_use(party: Party, conversation: Conversation) -> bool:
    if party.kind == "visitor":
        return conversation.visitor_id == party.id
    return party.reads is None or party.reads(conversation)

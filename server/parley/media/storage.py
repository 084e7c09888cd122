"""Where attachment bytes live, behind one small interface (docs/media.md).

Everything else names a file by an opaque key from ``new_key``; only this module knows that
the embedded default keeps them under ``PARLEY_DATA_DIR/uploads/``. An S3-compatible backend
is another class with the same three methods.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from pathlib import Path
from typing import Protocol

from parley.errors import NotFound

_KEY = re.compile(r"^[A-Za-z0-9_-]{16,100}$")


def new_key() -> str:
    """A random, unguessable name that is safe as a path segment or an object key."""
    return secrets.token_urlsafe(24)


class Storage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def open(self, key: str) -> bytes:
        """The stored bytes; ``NotFound`` if the key holds nothing."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the key; deleting a missing key is not an error."""
        ...


class LocalDiskStorage:
    """Files under one directory, fanned out by the key's first two characters."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):  # keys are ours; refuse anything that could walk the tree
            raise ValueError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    async def open(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self._path(key).read_bytes)
        except FileNotFoundError:
            raise NotFound("the attachment's file is missing") from None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        """Write beside the target and rename: a reader never sees half a file."""
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_bytes(data)
        os.replace(draft, path)

"""The snapshot of site settings each process serves from, kept current over the bus.

Saving publishes on ``site_settings`` after the commit; every process (this one included)
then re-reads the table. The bus is a doorbell: should a ring be lost, the housekeeping loop
re-reads a snapshot older than ``MAX_AGE_SECONDS``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping

from parley.bus import Bus, Subscription
from parley.config import Settings
from parley.db import Database
from parley.sitesettings import SiteSettings, effective, store, validate

logger = logging.getLogger(__name__)

CHANNEL = "site_settings"
MAX_AGE_SECONDS = 60.0


class LiveSiteSettings:
    def __init__(self, db: Database, bus: Bus, settings: Settings) -> None:
        self.db = db
        self.bus = bus
        self.settings = settings
        self.current: SiteSettings = effective(settings, {})
        self._loaded_at = 0.0
        self._reloading = asyncio.Lock()  # reads in turn, so an older read never lands last
        self._subscription: Subscription | None = None
        self._pending: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._subscription = self.bus.subscribe(CHANNEL, self._ring)
        await self.reload()

    def close(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
        for task in self._pending:
            task.cancel()

    async def reload(self) -> SiteSettings:
        async with self._reloading:
            self.current = effective(self.settings, await store.read_all(self.db))
            self._loaded_at = time.monotonic()
        return self.current

    async def reload_if_stale(self) -> None:
        if time.monotonic() - self._loaded_at > MAX_AGE_SECONDS:
            await self.reload()

    async def change(self, changes: Mapping[str, object], agent_id: str) -> SiteSettings:
        """Validate, save, then tell every process; bad input raises and changes nothing."""
        checked = validate(changes)
        await store.save(self.db, checked, agent_id)
        await self.reload()
        await self.bus.publish(CHANNEL, b"changed")
        return self.current

    def _ring(self, payload: bytes) -> None:
        task = asyncio.create_task(self._reload_logged())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _reload_logged(self) -> None:
        try:
            await self.reload()
        except Exception:
            logger.exception("re-reading site settings failed; retrying within a minute")

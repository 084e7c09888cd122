"""The long-lived objects one running Parley shares, opened and closed by the app's lifespan.

Handlers reach them through ``services(request)``; nothing else is global. The embedded
defaults (in-process bus and presence) and the scale-out choices (Redis) are picked here,
once, from the settings: the rest of the code cannot tell which it has.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from parley import clock
from parley.bot.answer import Bot
from parley.bus import Bus
from parley.bus.memory import MemoryBus
from parley.bus.redis import RedisBus
from parley.config import Settings
from parley.conversation.lifecycle import Lifecycle
from parley.conversation.service import ConversationService
from parley.conversation.summary_feed import SummaryFeed
from parley.db import Database
from parley.holdings import Holdings, MemoryHoldings, RedisHoldings
from parley.identity import setup as first_run
from parley.identity.store import prune_sessions
from parley.identity.throttle import LoginThrottle, MemoryLoginThrottle, RedisLoginThrottle
from parley.identity.tokens import TokenSigner
from parley.knowledge import KnowledgeBase, build_workers, watch
from parley.knowledge.insights import Popularity
from parley.knowledge.store import prune_search_log
from parley.knownissues import KnownIssues
from parley.mail.compose import MailComposer
from parley.mail.inbound import InboundMail
from parley.mail.listener import listen
from parley.mail.sender import MailSender
from parley.mail.tokens import MailTokens
from parley.mail.transport import SmtpTransport
from parley.media import MediaService
from parley.quality import sla
from parley.ratelimit import MemoryRateWindow, RateWindow, RedisRateWindow
from parley.routing.presence import MemoryPresence, Presence, RedisPresence
from parley.routing.service import RoutingService
from parley.sitesettings.live import LiveSiteSettings

logger = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 2.0
PRUNE_EVERY_SECONDS = 3600.0


@dataclass
class Services:
    settings: Settings
    db: Database
    signer: TokenSigner
    login_throttle: LoginThrottle
    bus: Bus
    presence: Presence
    conversations: ConversationService
    lifecycle: Lifecycle
    bot: Bot
    routing: RoutingService
    media: MediaService
    site: LiveSiteSettings
    popularity: Popularity
    visitor_creation: RateWindow
    visitor_uploads: RateWindow
    address_sockets: Holdings
    mail: MailSender
    inbound_mail: InboundMail
    mail_tokens: MailTokens
    known_issues: KnownIssues
    kb: KnowledgeBase | None = None
    summary_feed: SummaryFeed = field(default_factory=SummaryFeed)
    _mail_listener: asyncio.Server | None = None
    _kb_stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        db = Database(settings.resolved_database_url, pool_size=settings.database_pool_size)
        bus: Bus
        presence: Presence
        login_throttle: LoginThrottle
        if settings.redis_url:
            redis_bus = RedisBus(settings.redis_url)
            bus, presence = (
                redis_bus,
                RedisPresence(redis_bus.redis, settings.presence_grace_seconds),
            )
            login_throttle = RedisLoginThrottle(redis_bus.redis, settings.login_max_failures)
            visitor_creation: RateWindow = RedisRateWindow(
                redis_bus.redis, "visitors", settings.visitors_per_minute, 60.0
            )
            visitor_uploads: RateWindow = RedisRateWindow(
                redis_bus.redis, "uploads", settings.uploads_per_minute, 60.0
            )
            address_sockets: Holdings = RedisHoldings(
                redis_bus.redis, "sockets", settings.sockets_per_address
            )
        else:
            bus, presence = MemoryBus(), MemoryPresence(settings.presence_grace_seconds)
            login_throttle = MemoryLoginThrottle(settings.login_max_failures)
            visitor_creation = MemoryRateWindow("visitors", settings.visitors_per_minute, 60.0)
            visitor_uploads = MemoryRateWindow("uploads", settings.uploads_per_minute, 60.0)
            address_sockets = MemoryHoldings("sockets", settings.sockets_per_address)
        conversations = ConversationService(db, bus)
        site = LiveSiteSettings(db, bus, settings)
        bot = Bot(db)
        lifecycle = Lifecycle(
            db,
            conversations,
            bot,
            lambda: site.current.hours,
            lambda: site.current,
            mail_after=timedelta(minutes=settings.mail_unseen_minutes),
        )
        routing = RoutingService(
            db,
            lifecycle,
            presence,
            lambda: site.current.hours,
            reassign_after_seconds=settings.reassign_after_seconds,
        )
        media = MediaService.from_settings(db, settings)
        mail_tokens = MailTokens(settings.signing_key())
        mail = MailSender(
            db,
            settings,
            MailComposer(db, settings, mail_tokens),
            SmtpTransport(settings.smtp_url) if settings.smtp_url else None,
            routing.online_agent_ids,
            lease=timedelta(seconds=settings.mail_lease_seconds),
        )
        return cls(
            settings=settings,
            db=db,
            signer=TokenSigner(
                settings.signing_key(),
                agent_ttl_seconds=settings.agent_token_ttl,
                visitor_ttl_seconds=settings.visitor_token_ttl,
            ),
            login_throttle=login_throttle,
            bus=bus,
            presence=presence,
            conversations=conversations,
            lifecycle=lifecycle,
            bot=bot,
            routing=routing,
            media=media,
            site=site,
            popularity=Popularity(db),
            visitor_creation=visitor_creation,
            visitor_uploads=visitor_uploads,
            address_sockets=address_sockets,
            mail=mail,
            inbound_mail=InboundMail(lifecycle, media, mail_tokens),
            mail_tokens=mail_tokens,
            known_issues=KnownIssues(
                db, conversations, mail_after=timedelta(minutes=settings.mail_unseen_minutes)
            ),
        )

    async def start(self) -> None:
        await self.db.upgrade()
        await first_run.announce(self.db, self.settings.signing_key(), self.settings.base_url)
        await self.bus.start()
        await self.site.start()
        settings = self.settings
        self.kb = await asyncio.to_thread(
            KnowledgeBase.open, settings.kb_dir, settings.index_dir, workers=build_workers()
        )
        self.bot.kb = self.kb
        self._tasks.append(asyncio.create_task(self._watch_kb(self.kb)))
        self._tasks.append(asyncio.create_task(self._housekeeping()))
        self._tasks.append(asyncio.create_task(self.mail.run()))
        self._tasks.append(asyncio.create_task(self.address_sockets.run()))
        if settings.mail_listen:
            self._mail_listener = await listen(settings.mail_listen, self.inbound_mail)

    def require_kb(self) -> KnowledgeBase:
        """The knowledge base; the app serves no request before ``start()`` has opened it."""
        if self.kb is None:
            raise RuntimeError("the knowledge base is not open")
        return self.kb

    async def close(self) -> None:
        self._kb_stop.set()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._mail_listener is not None:
            self._mail_listener.close()
            await self._mail_listener.wait_closed()
        await self.mail.close()
        if self.kb is not None:
            self.kb.close()
        self.site.close()
        self.media.workers.close()
        await self.bus.close()
        await self.db.close()

    async def _watch_kb(self, kb: KnowledgeBase) -> None:
        """Live re-indexing of edits; if it cannot run, the index as opened keeps serving."""
        if not kb.kb_dir.is_dir():
            logger.warning("PARLEY_KB_DIR %s does not exist: no articles to serve", kb.kb_dir)
            return
        try:
            await watch(kb, self._kb_stop)
        except Exception:
            logger.exception("the knowledge-base watcher stopped: restart to pick up edits")

    async def _housekeeping(self) -> None:
        """Share presence (and write it into its history), return abandoned conversations to
        the queue, record missed response targets (and escalate them), assign what waits,
        resolve conversations visitors left with the bot, re-read site settings should a
        change's bus message have been lost, checkpoint SQLite's log, and (hourly) forget
        searches past the search log's retention and expired agent sessions."""
        pruned_at = -PRUNE_EVERY_SECONDS
        while True:
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
            try:
                await self.presence.publish()
                await self.routing.record_presence()
                await self.routing.requeue_abandoned()
                await sla.check(self.db, self.lifecycle, self.site.current.hours)
                await self.routing.assign_waiting()
                quiet = timedelta(minutes=self.settings.bot_idle_minutes)
                await self.lifecycle.resolve_idle(quiet_since=clock.now() - quiet)
                await self.site.reload_if_stale()
                await self.db.checkpoint()
                if time.monotonic() - pruned_at >= PRUNE_EVERY_SECONDS:
                    pruned_at = time.monotonic()
                    retention = timedelta(days=self.settings.search_log_days)
                    await prune_search_log(self.db, before=clock.now() - retention)
                    await prune_sessions(self.db)
            except Exception:
                logger.exception("housekeeping failed; trying again shortly")


class _Connection(Protocol):
    """A request or a socket: anything that knows its app."""

    @property
    def app(self) -> Any: ...


def services(connection: _Connection) -> Services:
    found: Services = connection.app.state.services
    return found

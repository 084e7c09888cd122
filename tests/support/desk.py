"""The real lifecycle and router over a test's database, built the one way the lifecycle,
quality, reports and mail tests need it: nobody online, and a bot that knows no articles
unless a test gives it some (``desk.bot.kb``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from parley.bot.answer import Bot
from parley.bus.memory import MemoryBus
from parley.config import Settings
from parley.conversation.lifecycle import Lifecycle
from parley.conversation.service import ConversationService
from parley.db import Database
from parley.identity import store as identity_store
from parley.identity.store import Visitor
from parley.routing.hours import BusinessHours
from parley.routing.presence import MemoryPresence
from parley.routing.service import RoutingService
from parley.sitesettings import effective

VOICE = effective(Settings(), {})  # no admin settings: the built-in bot name and offline words


@dataclass
class Desk:
    db: Database
    life: Lifecycle
    routing: RoutingService
    bot: Bot


def open_desk(
    db: Database,
    hours: BusinessHours,
    *,
    bot: Bot | None = None,
    mail_after: timedelta | None = None,
) -> Desk:
    bot = bot or Bot()
    conversations = ConversationService(db, MemoryBus())
    life = Lifecycle(db, conversations, bot, lambda: hours, lambda: VOICE, mail_after=mail_after)
    routing = RoutingService(db, life, MemoryPresence(60), lambda: hours, reassign_after_seconds=60)
    return Desk(db, life, routing, bot)


async def insert_visitor(
    db: Database, name: str = "Vera", *, locale: str = "en", **profile: Any
) -> Visitor:
    """A visitor as the widget registers one: anonymous unless ``profile`` says otherwise."""
    fields: dict[str, Any] = {
        "email": None,
        "page_url": None,
        "referrer": None,
        "user_agent": None,
        "attributes": {},
        "user_id": None,
        "verified": False,
    }
    return await identity_store.insert_visitor(
        db, name=name, locale=locale, **{**fields, **profile}
    )

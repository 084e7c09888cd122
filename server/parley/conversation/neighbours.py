"""What the conversation's life needs from its neighbours, as protocols: the bot ("answer or
hand over"), routing ("which team, which agent, when to try"), the business hours and the
site's own voice. They are passed in, so ``conversation/`` imports none of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol


class BotAnswer(Protocol):
    @property
    def results(self) -> list[dict[str, Any]]: ...
    @property
    def confidence(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def answered(self) -> bool: ...


Answerer = Callable[[str, str], Awaitable[BotAnswer]]  # (question, language) → the bot's reply


class Hours(Protocol):
    """Business hours as the life needs them: said to an offline visitor, counted in waits."""

    @property
    def text(self) -> str: ...
    def zone_name(self) -> str: ...
    def open_seconds_between(self, start: datetime, end: datetime) -> float: ...


class Voice(Protocol):
    """What the site says in its own name (the admin's settings): the bot's name, and the
    words for "nobody is online" ("" means Parley's own, in the visitor's language)."""

    @property
    def bot_name(self) -> str: ...
    @property
    def offline_text(self) -> str: ...


class Router(Protocol):
    """Routing's side of the life: which team, and giving waiting conversations to agents."""

    async def team_for(self, *, name: str | None, locale: str | None) -> str | None: ...
    async def default_team(self) -> str | None: ...
    async def online_agent_ids(self) -> list[str]: ...
    async def assign_waiting(self) -> None: ...

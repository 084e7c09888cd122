"""The long-lived objects one running Parley shares, opened and closed by the app's lifespan.

Handlers reach them through ``services(request)``; nothing else is global.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from parley.config import Settings
from parley.db import Database
from parley.identity.throttle import LoginThrottle
from parley.identity.tokens import TokenSigner


@dataclass
class Services:
    settings: Settings
    db: Database
    signer: TokenSigner
    login_throttle: LoginThrottle

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        return cls(
            settings=settings,
            db=Database(settings.resolved_database_url),
            signer=TokenSigner(settings.signing_key(), agent_ttl_seconds=settings.agent_token_ttl),
            login_throttle=LoginThrottle(settings.login_max_failures),
        )

    async def start(self) -> None:
        await self.db.upgrade()

    async def close(self) -> None:
        await self.db.close()


def services(connection: HTTPConnection) -> Services:
    found: Services = connection.app.state.services
    return found

"""First run: the first admin created in the browser, guarded by a setup token.

While no admin exists, ``/console/setup`` is a one-time page to create one (``/console`` opens
on it while nobody at all can sign in). Whoever opens it must
show the setup token the server writes to its log at start, so reaching the port is not enough;
the token is derived from the site's signing key, so every process of one site prints the same
one. Once an admin exists the page is closed for good (the check and the insert share one
transaction). ``parley agents create`` remains the way without a browser.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from parley.db import Database
from parley.errors import Forbidden
from parley.identity import agents, store
from parley.identity.store import Agent

logger = logging.getLogger("parley.setup")
SETUP_PATH = "/console/setup"


def setup_token(signing_key: str) -> str:
    """The setup token of a site: stable across restarts and processes, useless once closed."""
    digest = hmac.new(signing_key.encode(), b"parley first admin setup", hashlib.sha256)
    return digest.hexdigest()[:32]


def token_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.strip().encode())


async def setup_open(db: Database) -> bool:
    return not await store.admin_exists(db)


async def nobody_yet(db: Database) -> bool:
    """No agent at all: ``/console`` sends a visitor to the setup page, not to sign-in."""
    return not await store.agent_exists(db)


async def announce(db: Database, signing_key: str, base_url: str) -> None:
    """At start, with no admin yet: the setup page's address, token included, in the log."""
    if await setup_open(db):
        logger.warning(
            "No admin yet. Create the first one at %s%s?token=%s "
            "(or: parley agents create --role admin …)",
            base_url,
            SETUP_PATH,
            setup_token(signing_key),
        )


async def create_first_admin(
    db: Database, *, expected_token: str, token: str, email: str, name: str, password: str
) -> Agent:
    """The first admin, if the token is right and nobody became admin first (else 409)."""
    if not token_matches(expected_token, token):
        raise Forbidden("that is not the setup token from the server's log", code="bad_token")
    return await agents.create_agent(
        db, email=email, name=name, password=password, role="admin", only_if_no_admin=True
    )

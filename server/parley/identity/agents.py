"""Agent accounts: create, sign in, resolve a token back to an enabled agent.

The CLI, the login API and the console all call these, so the rules live here once.
"""

from __future__ import annotations

import asyncio
import re

from parley.db import Database
from parley.errors import BadRequest, Unauthorized
from parley.identity import store
from parley.identity.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from parley.identity.store import Agent
from parley.identity.throttle import LoginThrottle
from parley.identity.tokens import TokenSigner

ROLES = ("admin", "agent")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise BadRequest(f"{email!r} is not an email address", code="invalid_email")
    return cleaned


async def create_agent(
    db: Database, *, email: str, name: str, password: str, role: str = "agent"
) -> Agent:
    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
    if not name.strip() or len(name) > 100:
        raise BadRequest("name must be 1 to 100 characters", code="invalid_name")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters", code="weak_password"
        )
    return await store.insert_agent(
        db,
        email=normalize_email(email),
        name=name.strip(),
        password_hash=await hash_password(password),
        role=role,
    )


async def sign_in(
    db: Database, throttle: LoginThrottle, *, email: str, password: str, client_address: str
) -> Agent:
    """The agent for these credentials; failures are counted per email and per address."""
    keys = [f"email:{email.strip().lower()}", f"ip:{client_address}"]
    delay = throttle.check(keys)
    if delay:
        await asyncio.sleep(delay)
    agent = await store.agent_by_email(db, email.strip())
    matched = await verify_password(agent.password_hash if agent else None, password)
    if agent is None or not matched or agent.disabled:
        throttle.record_failure(keys)
        raise Unauthorized("wrong email or password", code="invalid_credentials")
    throttle.record_success(keys)
    return agent


async def agent_for_token(db: Database, signer: TokenSigner, token: str) -> Agent:
    """The enabled agent a token belongs to; revoked, expired or forged tokens are refused."""
    claim = signer.agent_claim(token)
    agent = await store.agent_by_id(db, claim.agent_id)
    if agent is None or agent.disabled or agent.token_version != claim.token_version:
        raise Unauthorized("session is no longer valid, sign in again")
    return agent

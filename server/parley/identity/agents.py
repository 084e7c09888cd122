"""Agent accounts: create, sign in, resolve a token back to an enabled agent, change them.

The CLI, the login API and the console all call these, so the rules live here once.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import timedelta

from parley.bus import Bus
from parley.db import Database
from parley.errors import BadRequest, Forbidden, Unauthorized
from parley.identity import store
from parley.identity.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from parley.identity.store import Agent
from parley.identity.throttle import LoginThrottle
from parley.identity.tokens import TokenSigner

ROLES = ("admin", "agent")
MAX_CAPACITY = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalize_email(email: str) -> str:
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        raise BadRequest(f"{email!r} is not an email address", code="invalid_email")
    return cleaned


def check_role(role: str) -> str:
    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
    return role


def check_capacity(capacity: object) -> int:
    """How many conversations at once: a whole number from 1 to ``MAX_CAPACITY``."""
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise BadRequest("capacity must be a whole number", code="invalid_capacity")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise BadRequest(f"capacity must be 1 to {MAX_CAPACITY}", code="invalid_capacity")
    return capacity


def _check_new_password(password: str) -> None:
    """The rules for every new password: an agent's first, a reset and one's own change."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters", code="weak_password"
        )


async def _checked_hash(password: str) -> str:
    """The hash of a password that meets the rules."""
    _check_new_password(password)
    return await hash_password(password)


async def _guess(
    throttle: LoginThrottle,
    email: str,
    client_address: str,
    password_hash: str | None,
    password: str,
) -> bool:
    """Whether ``password`` matches, checked as one throttled guess at ``email``: reserved
    before it is verified (``RateLimited`` when the address is used up), delayed when the email
    is under attack, and taken back when it was right."""
    attempt = await throttle.reserve(email, client_address)
    if attempt.delay:
        await asyncio.sleep(attempt.delay)
    matched = await verify_password(password_hash, password)
    if matched:
        await throttle.succeeded(attempt)
    return matched


async def create_agent(
    db: Database,
    *,
    email: str,
    name: str,
    password: str,
    role: str = "agent",
    capacity: int = 3,
    team_ids: Sequence[str] | None = None,
    only_if_no_admin: bool = False,
) -> Agent:
    """A new agent; without ``team_ids`` they join the default team."""
    check_role(role)
    check_capacity(capacity)
    if not name.strip() or len(name) > 100:
        raise BadRequest("name must be 1 to 100 characters", code="invalid_name")
    return await store.insert_agent(
        db,
        email=normalize_email(email),
        name=name.strip(),
        password_hash=await _checked_hash(password),
        role=role,
        capacity=capacity,
        team_ids=team_ids,
        only_if_no_admin=only_if_no_admin,
    )


async def sign_in(
    db: Database, throttle: LoginThrottle, *, email: str, password: str, client_address: str
) -> Agent:
    """The agent for these credentials; failures are counted per email and per address."""
    agent = await store.agent_by_email(db, email.strip())
    password_hash = agent.password_hash if agent else None
    matched = await _guess(throttle, email, client_address, password_hash, password)
    if agent is None or not matched or agent.disabled:
        raise Unauthorized("wrong email or password", code="invalid_credentials")
    return agent


async def start_session(db: Database, signer: TokenSigner, agent: Agent) -> str:
    """A new server-side session for a signed-in agent; its token."""
    lifetime = timedelta(seconds=signer.agent_ttl_seconds)
    session_id = await store.insert_session(db, agent.id, lifetime)
    return signer.agent_token(agent.id, agent.token_version, session_id)


async def end_session(db: Database, signer: TokenSigner, token: str) -> None:
    """Sign out: the token's session is deleted, so the token is refused from now on."""
    try:
        claim = signer.agent_claim(token)
    except Unauthorized:
        return  # forged or expired: there is no session to end
    await store.delete_session(db, claim.session_id)


async def agent_for_token(db: Database, signer: TokenSigner, token: str) -> Agent:
    """The enabled agent a token belongs to; signed-out, revoked, expired or forged tokens
    are refused."""
    claim = signer.agent_claim(token)
    agent = await store.agent_by_session(db, claim.session_id)
    if (
        agent is None
        or agent.id != claim.agent_id
        or agent.disabled
        or agent.token_version != claim.token_version
    ):
        raise Unauthorized("session is no longer valid, sign in again")
    return agent


def revocation_channel(agent_id: str) -> str:
    """Where an agent's open sockets hear that their session was revoked."""
    return f"agent-revoked:{agent_id}"


async def change_agent(
    db: Database,
    bus: Bus,
    agent_id: str,
    *,
    role: str | None = None,
    capacity: int | None = None,
    disabled: bool | None = None,
    team_ids: Sequence[str] | None = None,
    password: str | None = None,
) -> Agent:
    """An admin's change to an agent. When it revokes their tokens (disabled, demoted, a new
    password), their open consoles are told too, in every process, so nobody keeps acting on
    an old role or a password that is no longer theirs."""
    role = None if role is None else check_role(role)
    capacity = None if capacity is None else check_capacity(capacity)
    password_hash = None if password is None else await _checked_hash(password)
    before = await store.agent_by_id(db, agent_id)
    changed = await store.update_agent(
        db,
        agent_id,
        role=role,
        capacity=capacity,
        disabled=disabled,
        team_ids=team_ids,
        password_hash=password_hash,
    )
    if before is not None and changed.token_version != before.token_version:
        await bus.publish(revocation_channel(agent_id), b"revoked")
    return changed


async def reset_password(
    db: Database, bus: Bus, throttle: LoginThrottle, agent_id: str, password: str
) -> Agent:
    """Give an agent a new password: every session they hold ends, and their email's failed
    sign-ins are forgiven so the new password works at once (the address's count stays)."""
    changed = await change_agent(db, bus, agent_id, password=password)
    await throttle.forgive(changed.email)
    return changed


async def change_own_password(
    db: Database,
    bus: Bus,
    throttle: LoginThrottle,
    agent: Agent,
    *,
    current_password: str,
    new_password: str,
    client_address: str,
) -> Agent:
    """A signed-in agent's new password, given their current one. A wrong current password is
    a failed sign-in of their email and address, so a stolen session cannot guess at it past
    the sign-in throttle. Every session the agent holds ends, the caller's too: it is given a
    fresh token for the returned agent's ``token_version``."""
    _check_new_password(new_password)  # refused before a guess is even looked at
    if not await _guess(
        throttle, agent.email, client_address, agent.password_hash, current_password
    ):
        raise Forbidden("your current password is wrong", code="wrong_password")
    return await change_agent(db, bus, agent.id, password=new_password)

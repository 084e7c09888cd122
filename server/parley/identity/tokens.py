"""Signed bearer tokens: a visitor token reads one visitor; an agent token expires.

Agent tokens carry the agent's ``token_version``; bumping it (disable, password change)
revokes every token issued before, without a session table.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from parley.errors import Unauthorized


@dataclass(frozen=True)
class AgentClaim:
    agent_id: str
    token_version: int


class TokenSigner:
    def __init__(self, secret_key: str, *, agent_ttl_seconds: int) -> None:
        self._visitor = URLSafeSerializer(secret_key, salt="parley.visitor")
        self._agent = URLSafeTimedSerializer(secret_key, salt="parley.agent")
        self.agent_ttl_seconds = agent_ttl_seconds

    def visitor_token(self, visitor_id: str) -> str:
        return self._visitor.dumps({"v": visitor_id})

    def visitor_id(self, token: str) -> str:
        try:
            payload = self._visitor.loads(token)
        except BadSignature:
            raise Unauthorized("invalid visitor token") from None
        visitor_id = payload.get("v") if isinstance(payload, dict) else None
        if not isinstance(visitor_id, str):
            raise Unauthorized("invalid visitor token")
        return visitor_id

    def agent_token(self, agent_id: str, token_version: int) -> str:
        return self._agent.dumps({"a": agent_id, "tv": token_version})

    def agent_claim(self, token: str) -> AgentClaim:
        try:
            payload = self._agent.loads(token, max_age=self.agent_ttl_seconds)
        except SignatureExpired:
            raise Unauthorized("session expired, sign in again") from None
        except BadSignature:
            raise Unauthorized("invalid agent token") from None
        if not isinstance(payload, dict):
            raise Unauthorized("invalid agent token")
        agent_id, version = payload.get("a"), payload.get("tv")
        if not isinstance(agent_id, str) or not isinstance(version, int):
            raise Unauthorized("invalid agent token")
        return AgentClaim(agent_id, version)


# The console's session cookie holds the same signed agent token the login API returns.
SESSION_COOKIE = "parley_session"

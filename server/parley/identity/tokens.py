"""Signed bearer tokens: a visitor token reads one visitor; an agent token names a session.

Both expire. An agent token carries its session's id (a row that signing out deletes) and the
agent's ``token_version`` (bumped to revoke every token at once: disable, password change).
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from parley.errors import Unauthorized


@dataclass(frozen=True)
class AgentClaim:
    agent_id: str
    token_version: int
    session_id: str


class TokenSigner:
    def __init__(
        self, secret_key: str, *, agent_ttl_seconds: int, visitor_ttl_seconds: int = 90 * 86400
    ) -> None:
        self._visitor = URLSafeTimedSerializer(secret_key, salt="parley.visitor.v2")
        self._agent = URLSafeTimedSerializer(secret_key, salt="parley.agent.v2")
        self.agent_ttl_seconds = agent_ttl_seconds
        self.visitor_ttl_seconds = visitor_ttl_seconds

    def visitor_token(self, visitor_id: str) -> str:
        return self._visitor.dumps({"v": visitor_id})

    def visitor_id(self, token: str) -> str:
        try:
            payload = self._visitor.loads(token, max_age=self.visitor_ttl_seconds)
        except SignatureExpired:
            raise Unauthorized("visitor token expired") from None
        except BadSignature:
            raise Unauthorized("invalid visitor token") from None
        visitor_id = payload.get("v") if isinstance(payload, dict) else None
        if not isinstance(visitor_id, str):
            raise Unauthorized("invalid visitor token")
        return visitor_id

    def agent_token(self, agent_id: str, token_version: int, session_id: str) -> str:
        return self._agent.dumps({"a": agent_id, "tv": token_version, "s": session_id})

    def agent_claim(self, token: str) -> AgentClaim:
        try:
            payload = self._agent.loads(token, max_age=self.agent_ttl_seconds)
        except SignatureExpired:
            raise Unauthorized("session expired, sign in again") from None
        except BadSignature:
            raise Unauthorized("invalid agent token") from None
        if not isinstance(payload, dict):
            raise Unauthorized("invalid agent token")
        agent_id, version, session_id = payload.get("a"), payload.get("tv"), payload.get("s")
        if not (isinstance(agent_id, str) and isinstance(version, int)) or not isinstance(
            session_id, str
        ):
            raise Unauthorized("invalid agent token")
        return AgentClaim(agent_id, version, session_id)


# The console's session cookie holds the same signed agent token the login API returns.
SESSION_COOKIE = "parley_session"

from __future__ import annotations

import time

import pytest

from parley.errors import Unauthorized
from parley.identity.tokens import AgentClaim, TokenSigner


def test_visitor_token_names_exactly_its_visitor() -> None:
    signer = TokenSigner("k", agent_ttl_seconds=60)
    assert signer.visitor_id(signer.visitor_token("vis_1")) == "vis_1"


@pytest.mark.parametrize("token", ["", "garbage", "eyJ2IjoidmlzXzEifQ.forged"])
def test_forged_visitor_tokens_are_refused(token: str) -> None:
    with pytest.raises(Unauthorized):
        TokenSigner("k", agent_ttl_seconds=60).visitor_id(token)


def test_tokens_from_another_key_or_kind_are_refused() -> None:
    signer = TokenSigner("k", agent_ttl_seconds=60)
    with pytest.raises(Unauthorized):
        TokenSigner("other", agent_ttl_seconds=60).visitor_id(signer.visitor_token("vis_1"))
    with pytest.raises(Unauthorized):  # a visitor token is not an agent token
        signer.agent_claim(signer.visitor_token("vis_1"))


def test_agent_tokens_expire() -> None:
    signer = TokenSigner("k", agent_ttl_seconds=1)
    token = signer.agent_token("agt_1", 3, "ses_1")
    assert signer.agent_claim(token) == AgentClaim("agt_1", 3, "ses_1")
    time.sleep(2.1)
    with pytest.raises(Unauthorized, match="expired"):
        signer.agent_claim(token)


def test_visitor_tokens_expire() -> None:
    signer = TokenSigner("k", agent_ttl_seconds=60, visitor_ttl_seconds=1)
    token = signer.visitor_token("vis_1")
    assert signer.visitor_id(token) == "vis_1"
    time.sleep(2.1)
    with pytest.raises(Unauthorized, match="expired"):
        signer.visitor_id(token)

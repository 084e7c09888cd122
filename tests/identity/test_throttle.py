from __future__ import annotations

import pytest

from parley.errors import RateLimited
from parley.identity.throttle import LoginThrottle


def test_failures_are_slowed_past_half_then_refused() -> None:
    throttle = LoginThrottle(6)
    keys = ["email:a@example.com", "ip:1.2.3.4"]
    delays = []
    for _ in range(6):
        delays.append(throttle.check(keys))
        throttle.record_failure(keys)
    assert delays[:4] == [0.0, 0.0, 0.0, 0.0]
    assert 0 < delays[4] < delays[5]
    with pytest.raises(RateLimited):
        throttle.check(keys)


def test_an_address_is_limited_across_emails() -> None:
    throttle = LoginThrottle(3)
    for n in range(3):
        throttle.record_failure([f"email:user{n}@example.com", "ip:9.9.9.9"])
    with pytest.raises(RateLimited):
        throttle.check(["email:fresh@example.com", "ip:9.9.9.9"])
    assert throttle.check(["email:fresh@example.com", "ip:8.8.8.8"]) == 0.0


def test_success_forgives_the_email_but_not_the_address() -> None:
    throttle = LoginThrottle(2)
    keys = ["email:a@example.com", "ip:1.1.1.1"]
    throttle.record_failure(keys)
    throttle.record_success(keys)
    throttle.record_failure(["email:b@example.com", "ip:1.1.1.1"])
    with pytest.raises(RateLimited):
        throttle.check(["email:a@example.com", "ip:1.1.1.1"])

"""The guard: each abuse check answers a decision and its reason instead of raising."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from interactions_api.errors import RateLimited
from interactions_api.models.user import User
from interactions_api.services.guard import Guard
from interactions_api.services.ratelimit import LocalLimits, RateLimiter


def _guard(redis: Any, make_settings: Callable[..., Any], **limits: int) -> Guard:
    return Guard(RateLimiter(redis, LocalLimits()), make_settings(**limits))


def test_a_decision_says_why_and_when_to_retry(
    redis: Any, make_settings: Callable[..., Any]
) -> None:
    guard = _guard(redis, make_settings, inbox_writes_per_minute=2)
    author = User(id=7, email="a@example.org", display_name="A")
    assert [guard.inbox_write(author).allowed for _ in range(2)] == [True, True]
    refused = guard.inbox_write(author)
    assert not refused.allowed
    assert refused.reason == "Too many saves or previews in a minute; wait a moment."
    assert 1 <= refused.retry_after <= 60
    with pytest.raises(RateLimited) as raised:
        refused.enforce()
    assert raised.value.headers["Retry-After"] == str(refused.retry_after)
    other = User(id=8, email="b@example.org", display_name="B")
    assert guard.inbox_write(other).allowed, "each account counts alone"


def test_an_account_is_limited_before_its_address(
    redis: Any, make_settings: Callable[..., Any]
) -> None:
    guard = _guard(redis, make_settings, comments_per_minute=1)
    reader = User(id=9, email="c@example.org", display_name="C")
    assert guard.comment(user=reader, address="192.0.2.1").allowed
    assert not guard.comment(user=reader, address="192.0.2.1").allowed
    # the address allows several accounts (offices, NAT): another one still comments
    other = User(id=10, email="d@example.org", display_name="D")
    assert guard.comment(user=other, address="192.0.2.1").allowed
    anonymous = guard.comment(user=None, address="192.0.2.1")
    assert not anonymous.allowed, "anonymous: the address alone, at the account rate"


def test_failed_sign_ins_are_only_counted_when_they_fail(
    redis: Any, make_settings: Callable[..., Any]
) -> None:
    guard = _guard(redis, make_settings, signin_failures_per_account=2)
    for _ in range(5):
        assert guard.sign_in(email="e@example.org", address="192.0.2.2").allowed
    guard.sign_in_failed(email="e@example.org", address="192.0.2.2")
    guard.sign_in_failed(email="e@example.org", address="192.0.2.2")
    refused = guard.sign_in(email="e@example.org", address="192.0.2.3")
    assert not refused.allowed and refused.reason.startswith("Too many attempts")
    guard.sign_in_succeeded(email="e@example.org")
    assert guard.sign_in(email="e@example.org").allowed

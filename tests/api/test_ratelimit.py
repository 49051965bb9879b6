"""Rate limits: the Redis limiter itself, and the throttles on sign-in, sign-up and reset."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from interactions_api.errors import RateLimited
from interactions_api.models.user import User
from interactions_api.services.ratelimit import RateLimiter
from tests.api.conftest import PASSWORD, ApiClient, new_client


def test_limiter_counts_refuses_and_says_when_to_retry(redis: Any) -> None:
    limiter = RateLimiter(redis)
    assert [limiter.hit("k", limit=3, window_s=60) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(RateLimited) as refused:
        limiter.hit("k", limit=3, window_s=60)
    assert 1 <= refused.value.retry_after <= 60
    assert refused.value.headers["Retry-After"] == str(refused.value.retry_after)
    assert limiter.hit("other", limit=3, window_s=60) == 1  # keys are independent


def test_a_requests_limits_are_counted_together_up_to_the_first_refusal(redis: Any) -> None:
    limiter = RateLimiter(redis)
    both = [("user", 2, 60), ("address", 10, 60)]
    assert limiter.hit_all(both) == [1, 1]
    assert limiter.hit_all(both) == [2, 2]
    with pytest.raises(RateLimited) as refused:
        limiter.hit_all(both, message="Slow down.")
    assert refused.value.message == "Slow down." and 1 <= refused.value.retry_after <= 60
    # the refused request was not counted against the address as well
    assert limiter.hit("address", limit=10, window_s=60) == 3


def test_limiter_works_again_after_redis_forgot_its_scripts(redis: Any) -> None:
    limiter = RateLimiter(redis)
    assert limiter.hit("k", limit=3, window_s=60) == 1
    redis.script_flush()  # as after a restart of Redis
    assert limiter.hit("k", limit=3, window_s=60) == 2


def test_limiter_window_expires(redis: Any) -> None:
    limiter = RateLimiter(redis)
    limiter.hit("k", limit=1, window_s=1)
    with pytest.raises(RateLimited):
        limiter.hit("k", limit=1, window_s=1)
    time.sleep(1.2)
    assert limiter.hit("k", limit=1, window_s=1) == 1


def test_limiter_is_exact_under_concurrency(redis: Any) -> None:
    limiter = RateLimiter(redis)
    allowed: list[int] = []
    refused: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            try:
                limiter.hit("race", limit=25, window_s=60)
                outcome = allowed
            except RateLimited:
                outcome = refused
            with lock:
                outcome.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(allowed), len(refused)) == (25, 55)


def test_check_count_reset(redis: Any) -> None:
    limiter = RateLimiter(redis)
    limiter.check("f", limit=2)  # nothing counted yet
    limiter.count("f", window_s=60)
    limiter.count("f", window_s=60)
    with pytest.raises(RateLimited):
        limiter.check("f", limit=2)
    limiter.reset("f")
    limiter.check("f", limit=2)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "signin_failures_per_account": 3,
        "signin_failures_per_ip": 5,
        "signups_per_ip": 2,
        "resets_per_ip": 4,
        "resets_per_email": 2,
    }


def _signin(c: ApiClient, email: str, password: str) -> Any:
    return c.post("/api/auth/signin", json={"email": email, "password": password})


@pytest.mark.parametrize("known", [True, False], ids=["known", "unknown"])
def test_failed_sign_ins_are_throttled_per_account(
    app: Any, make_user: Callable[..., User], known: bool
) -> None:
    email = make_user().email if known else "ghost@example.org"
    # Different client addresses: the per-account limit holds across them.
    for n in range(3):
        with new_client(app, client=(f"198.51.100.{n}", 1000)) as c:
            assert _signin(c, email, "wrong passphrase!").status_code == 401
    with new_client(app, client=("198.51.100.99", 1000)) as c:
        response = _signin(c, email, PASSWORD)
    # Even the right password waits: the attacker learns nothing from a success.
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["retry-after"]) <= 15 * 60


def test_failed_sign_ins_are_throttled_per_address(
    client: ApiClient, app: Any, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for n in range(5):
        assert _signin(client, f"victim{n}@example.org", "wrong passphrase!").status_code == 401
    blocked = _signin(client, user.email, PASSWORD)
    assert blocked.status_code == 429
    assert "retry-after" in blocked.headers
    with new_client(app, client=("192.0.2.7", 1000)) as elsewhere:
        assert _signin(elsewhere, user.email, PASSWORD).status_code == 200


def test_success_clears_the_account_counter(
    client: ApiClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    for _ in range(2):
        _signin(client, user.email, "wrong passphrase!")
    assert _signin(client, user.email, PASSWORD).status_code == 200
    for _ in range(2):
        assert _signin(client, user.email, "wrong passphrase!").status_code == 401
    assert _signin(client, user.email, PASSWORD).status_code == 200


def test_forwarded_for_from_a_trusted_proxy_separates_clients(
    make_settings: Callable[..., Any], redis: Any, make_user: Callable[..., User]
) -> None:
    from interactions_api.main import create_app

    app = create_app(make_settings(trusted_proxies=["10.0.0.0/8"]), redis=redis)
    user = make_user()
    with new_client(app, client=("10.0.0.5", 1000)) as proxy:
        for n in range(5):
            headers = {"X-Forwarded-For": "203.0.113.66"}
            proxy.post(
                "/api/auth/signin",
                json={"email": f"x{n}@example.org", "password": "wrong passphrase!"},
                headers=headers,
            )
        attacker = proxy.post(
            "/api/auth/signin",
            json={"email": user.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.66"},
        )
        reader = proxy.post(
            "/api/auth/signin",
            json={"email": user.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.10"},
        )
    assert (attacker.status_code, reader.status_code) == (429, 200)


def test_sign_up_is_rate_limited_per_address(client: ApiClient) -> None:
    codes = [
        client.post(
            "/api/auth/signup",
            json={"email": f"n{n}@example.org", "display_name": "N", "password": PASSWORD},
        ).status_code
        for n in range(3)
    ]
    assert codes == [202, 202, 429]


@pytest.mark.parametrize("known", [True, False], ids=["known", "unknown"])
def test_reset_requests_are_rate_limited_per_email(
    app: Any, make_user: Callable[..., User], known: bool
) -> None:
    # Unknown addresses behave the same (no enumeration through the limit).
    email = make_user().email if known else "ghost@example.org"
    codes = []
    for n in range(3):
        with new_client(app, client=(f"198.51.100.{n}", 1000)) as c:
            codes.append(c.post("/api/auth/reset-request", json={"email": email}).status_code)
    assert codes == [202, 202, 429]


def test_reset_requests_are_rate_limited_per_address(client: ApiClient) -> None:
    codes = [
        client.post("/api/auth/reset-request", json={"email": f"r{n}@example.org"}).status_code
        for n in range(5)
    ]
    assert codes == [202, 202, 202, 202, 429]

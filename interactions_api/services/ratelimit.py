"""Redis-backed fixed-window rate limits that answer 429 with `Retry-After`.

One atomic script per hit (INCR + EXPIRE on first hit + TTL), so concurrent API workers
share the counts and no read-modify-write race lets extra requests through.
"""

from __future__ import annotations

import hashlib
from typing import Any

from interactions_api.errors import RateLimited

_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""

PREFIX = "quire:rl:"


def key_part(value: str) -> str:
    """A short stable key fragment for user-supplied values (emails): no raw PII in Redis."""
    return hashlib.sha256(value.encode()).hexdigest()[:24]


class RateLimiter:
    """Counts events per key and window; `hit` refuses once `limit` is exceeded."""

    def __init__(self, redis: Any) -> None:
        self._redis = redis

    def hit(self, key: str, *, limit: int, window_s: int, message: str | None = None) -> int:
        """Count one event under `key`; raise `RateLimited` when this one is over `limit`."""
        count, ttl = self._redis.eval(_HIT, 1, PREFIX + key, window_s)
        if int(count) > limit:
            raise RateLimited(
                message or "Too many requests; try again later.", retry_after=int(ttl)
            )
        return int(count)

    def check(self, key: str, *, limit: int, message: str | None = None) -> None:
        """Refuse without counting when `key` already reached `limit` (e.g. failed sign-ins)."""
        pipe = self._redis.pipeline()
        pipe.get(PREFIX + key)
        pipe.ttl(PREFIX + key)
        raw, ttl = pipe.execute()
        if raw is not None and int(raw) >= limit:
            raise RateLimited(
                message or "Too many requests; try again later.", retry_after=int(ttl)
            )

    def count(self, key: str, *, window_s: int) -> int:
        """Count one event without refusing (pair with `check`)."""
        count, _ttl = self._redis.eval(_HIT, 1, PREFIX + key, window_s)
        return int(count)

    def reset(self, key: str) -> None:
        """Forget the events under `key` (e.g. after a successful sign-in)."""
        self._redis.delete(PREFIX + key)

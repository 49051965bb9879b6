"""Redis-backed fixed-window rate limits that answer 429 with `Retry-After`.

One atomic script per request (INCR + EXPIRE on first hit + TTL for each of its keys,
stopping at the first key over its limit), so concurrent API workers share the counts
and no read-modify-write race lets extra requests through. The script is sent once and
then called by its SHA: a comment's two limits cost one short round trip.

While Redis cannot be reached, a limiter given the app's `LocalLimits` counts in this
process instead, at a stricter limit (each API process counts alone), so an outage
neither fails requests nor lifts the limits. The switch is logged once each way.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable
from typing import Any

from redis.exceptions import NoScriptError, RedisError

from interactions_api.errors import RateLimited

log = logging.getLogger("quire.ratelimit")

# ARGV: window and limit of each key in turn. Returns count and ttl of each key counted.
_HIT = """
local out = {}
for i, key in ipairs(KEYS) do
  local window, limit = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, window) end
  local ttl = redis.call('TTL', key)
  if ttl < 0 then redis.call('EXPIRE', key, window); ttl = window end
  out[#out + 1] = n
  out[#out + 1] = ttl
  if n > limit then break end
end
return out
"""
_HIT_SHA = hashlib.sha1(_HIT.encode()).hexdigest()  # noqa: S324 - how Redis names scripts

PREFIX = "quire:rl:"
# Without Redis each process counts alone: with the usual two API workers, half the
# limit each keeps the total within it.
LOCAL_SHARE = 2
LOCAL_MAX_KEYS = 10_000
_UNAVAILABLE = (RedisError, OSError)


def key_part(value: str) -> str:
    """A short stable key fragment for user-supplied values (emails): no raw PII in Redis."""
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def local_limit(limit: int) -> int:
    """The stricter limit applied while counting in-process."""
    return max(1, limit // LOCAL_SHARE)


class LocalLimits:
    """In-process fixed windows for while Redis is away; one per app (process)."""

    def __init__(self, on_recover: Callable[[], object] | None = None) -> None:
        self._windows: dict[str, tuple[float, int]] = {}  # key: (window end, count)
        self._lock = threading.Lock()
        self._active = False
        self._on_recover = on_recover

    def engage(self, exc: BaseException) -> None:
        """Redis failed: count here from now on (logged once per outage)."""
        if self._active:
            return
        with self._lock:
            was, self._active = self._active, True
        if was:
            return
        log.warning(
            "Redis unreachable (%s): rate limits are in-process, at 1/%d of each limit, "
            "until it answers",
            exc,
            LOCAL_SHARE,
        )

    def release(self) -> None:
        """Redis answered: shared limits again; run the recovery hook (logged once)."""
        if not self._active:
            return
        with self._lock:
            was, self._active = self._active, False
            self._windows.clear()
        if not was:
            return
        log.warning("Redis answers again: rate limits are shared again")
        if self._on_recover is not None:
            try:
                self._on_recover()
            except Exception:  # a failed hook must not fail the request that noticed
                log.exception("work owed since the Redis outage not resumed")

    def hit(self, key: str, window_s: int, *, add: int = 1) -> tuple[int, int]:
        """Count `add` events under `key`; (count in this window, seconds left)."""
        now = time.monotonic()
        with self._lock:
            end, count = self._windows.get(key, (0.0, 0))
            if end <= now:
                if len(self._windows) >= LOCAL_MAX_KEYS:
                    self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
                end, count = now + window_s, 0
            count += add
            if add:
                self._windows[key] = (end, count)
        return count, max(1, math.ceil(end - now))

    def reset(self, key: str) -> None:
        """Forget `key`'s events."""
        with self._lock:
            self._windows.pop(key, None)


class RateLimiter:
    """Counts events per key and window; `hit` refuses once `limit` is exceeded.

    With `local`, an unreachable Redis falls back to in-process counting; without, its
    errors propagate.
    """

    def __init__(self, redis: Any, local: LocalLimits | None = None) -> None:
        self._redis = redis
        self._local = local

    def hit(self, key: str, *, limit: int, window_s: int, message: str | None = None) -> int:
        """Count one event under `key`; raise `RateLimited` when this one is over `limit`."""
        return self.hit_all([(key, limit, window_s)], message=message)[0]

    def hit_all(
        self, limits: list[tuple[str, int, int]], *, message: str | None = None
    ) -> list[int]:
        """Count one event under each (key, limit, window in seconds), in order, in one
        round trip; raise `RateLimited` at the first key over its limit (the keys after
        it are not counted). Returns the counts."""
        try:
            found = self._script(
                [k for k, _, _ in limits], [a for _, lim, w in limits for a in (w, lim)]
            )
        except _UNAVAILABLE as exc:
            if self._local is None:
                raise
            self._local.engage(exc)
            return self._hit_locally(limits, message)
        self._recovered()
        counts = [int(n) for n in found[0::2]]
        for (_key, limit, _window), count, ttl in zip(limits, counts, found[1::2], strict=False):
            if count > limit:
                raise RateLimited(
                    message or "Too many requests; try again later.", retry_after=int(ttl)
                )
        return counts

    def _script(self, keys: list[str], args: list[int]) -> list[Any]:
        names = [PREFIX + key for key in keys]
        try:
            return list(self._redis.evalsha(_HIT_SHA, len(names), *names, *args))
        except NoScriptError:  # a new or restarted Redis: send the script (it keeps it)
            return list(self._redis.eval(_HIT, len(names), *names, *args))

    def _hit_locally(self, limits: list[tuple[str, int, int]], message: str | None) -> list[int]:
        assert self._local is not None
        counts = []
        for key, limit, window_s in limits:
            count, ttl = self._local.hit(key, window_s)
            counts.append(count)
            if count > local_limit(limit):
                raise RateLimited(
                    message or "Too many requests; try again later.", retry_after=int(ttl)
                )
        return counts

    def check(self, key: str, *, limit: int, message: str | None = None) -> None:
        """Refuse without counting when `key` already reached `limit` (e.g. failed sign-ins)."""
        try:
            pipe = self._redis.pipeline()
            pipe.get(PREFIX + key)
            pipe.ttl(PREFIX + key)
            raw, ttl = pipe.execute()
            count = 0 if raw is None else int(raw)
        except _UNAVAILABLE as exc:
            if self._local is None:
                raise
            self._local.engage(exc)
            count, ttl = self._local.hit(key, 60, add=0)
            limit = local_limit(limit)
        else:
            self._recovered()
        if count >= limit:
            raise RateLimited(
                message or "Too many requests; try again later.", retry_after=int(ttl)
            )

    def count(self, key: str, *, window_s: int) -> int:
        """Count one event without refusing (pair with `check`)."""
        return self._count(key, window_s)[0]

    def reset(self, key: str) -> None:
        """Forget the events under `key` (e.g. after a successful sign-in)."""
        if self._local is not None:
            self._local.reset(key)
        try:
            self._redis.delete(PREFIX + key)
        except _UNAVAILABLE as exc:
            if self._local is None:
                raise
            self._local.engage(exc)

    def _count(self, key: str, window_s: int) -> tuple[int, int, bool]:
        """(count, seconds left, counted in-process) after one more event under `key`."""
        try:
            count, ttl = self._script([key], [window_s, 2**62])[:2]
        except _UNAVAILABLE as exc:
            if self._local is None:
                raise
            self._local.engage(exc)
            return (*self._local.hit(key, window_s), True)
        self._recovered()
        return int(count), int(ttl), False

    def _recovered(self) -> None:
        if self._local is not None:
            self._local.release()

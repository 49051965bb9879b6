"""The API's Redis client: fails in milliseconds when Redis is away, never in seconds.

redis-py's defaults suit a worker, not a request: no read timeout at all, and ten retries
with backoff that made every call to a stopped Redis cost about 4.5 s. Requests get short
connect and read timeouts, one immediate retry (for a pooled connection that a restarted
Redis closed), and a breaker: after a failed connect or a read that timed out, calls fail
at once for `PAUSE_S`, so a down or hung Redis costs one timeout per pause and process,
not one per call. Callers catch `RedisError` and fall back (in-process rate limits, the
mail spool, the build outbox); the breaker logs the outage once, and its end.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.connection import (
    Connection,
    ConnectionPool,
    SSLConnection,
    UnixDomainSocketConnection,
)
from redis.exceptions import ConnectionError, TimeoutError
from redis.retry import Retry

log = logging.getLogger("quire.redis")

CONNECT_TIMEOUT_S = 0.5  # a refused connection fails at once; this bounds a silent host
READ_TIMEOUT_S = 0.5  # Redis answers in microseconds; half a second means it is stuck
PAUSE_S = 1.0  # after a failure, how long calls fail at once before Redis is tried again


class Breaker:
    """Shared by a pool's connections: open for `pause_s` after each failure."""

    def __init__(self, pause_s: float = PAUSE_S) -> None:
        self.pause_s = pause_s
        self._open_until = 0.0
        self._down_since: float | None = None
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        """Whether the last attempt failed (and none succeeded since)."""
        return self._down_since is not None

    def check(self) -> None:
        """Refuse at once while the breaker is open."""
        if time.monotonic() < self._open_until:
            raise ConnectionError("Redis unreachable (not retried for a moment)")

    def failed(self, exc: Exception) -> None:
        """Open the breaker; the first failure of an outage is logged."""
        with self._lock:
            now = time.monotonic()
            self._open_until = now + self.pause_s
            first, self._down_since = self._down_since is None, self._down_since or now
        if first:
            log.warning("Redis unreachable (%s): serving without it until it answers", exc)

    def succeeded(self) -> None:
        """Close the breaker; the end of an outage is logged."""
        if self._down_since is None:  # the usual case: no lock taken
            return
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            log.warning("Redis answers again, after %.1f s", time.monotonic() - since)


class _Guarded:
    """Mixed into a redis-py connection class: consults and feeds its pool's breaker."""

    def __init__(self, *args: Any, breaker: Breaker, **kwargs: Any) -> None:
        self.breaker = breaker
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        self.breaker.check()
        try:
            super().connect()  # type: ignore[misc]
        except (ConnectionError, TimeoutError) as exc:
            self.breaker.failed(exc)
            raise

    def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().read_response(*args, **kwargs)  # type: ignore[misc]
        except TimeoutError as exc:
            # Only a timeout: a connection closed by a restarted Redis is retried instead.
            self.breaker.failed(exc)
            raise
        self.breaker.succeeded()
        return response


class _GuardedConnection(_Guarded, Connection):
    pass


class _GuardedSSLConnection(_Guarded, SSLConnection):
    pass


class _GuardedUnixConnection(_Guarded, UnixDomainSocketConnection):
    pass


# By URL scheme, as redis-py chooses its connection class.
_GUARDED: dict[str, type[Connection | UnixDomainSocketConnection]] = {
    "redis": _GuardedConnection,
    "rediss": _GuardedSSLConnection,
    "unix": _GuardedUnixConnection,
}


def fail_fast_options() -> dict[str, Any]:
    """Client options for a request path: short timeouts, one immediate retry."""
    return {
        "socket_connect_timeout": CONNECT_TIMEOUT_S,
        "socket_timeout": READ_TIMEOUT_S,
        # Only on a broken connection (a restarted Redis), never after a timeout.
        "retry": Retry(NoBackoff(), 1, supported_errors=(ConnectionError,)),
    }


def fail_fast_client(url: str) -> redis.Redis:
    """A client for `url` with the fail-fast options and a breaker."""
    guarded = _GUARDED.get(url.partition("://")[0], _GuardedConnection)
    pool = ConnectionPool.from_url(
        url, connection_class=guarded, breaker=Breaker(), **fail_fast_options()
    )
    return redis.Redis(connection_pool=pool)

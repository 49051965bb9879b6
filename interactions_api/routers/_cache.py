"""A tiny per-process cache of public JSON answers (thread listings, counts).

The CDN already serves these up to `s-maxage` seconds old; this holds the rendered bytes
for a second or so more cheaply at the origin, where a burst of cache misses (a popular
article, many edge locations) would otherwise run the same query and serialisation for
every request. Writes made by this process drop the affected entries at once; other
workers see them within `settings.listing_cache_seconds`.

Misses are single-flight: when an entry expires under load, the requests that arrive
while it is being rendered wait for that one render instead of each running the query
(a stampede that made the slowest 1% of listings ten times slower than the rest).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

from fastapi import Request
from sqlmodel import Session

Key = tuple[str, ...]
MAX_ENTRIES = 2048


class ResponseCache:
    """Rendered bodies by key, each kept for `ttl` seconds."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[Key, tuple[float, bytes]] = {}
        self._lock = threading.Lock()
        # Renders in flight (None: it failed), and a counter bumped by every invalidation
        # so a render that began before a write never stores its result.
        self._pending: dict[Key, asyncio.Future[bytes | None]] = {}
        self._generation = 0

    def get(self, key: Key) -> bytes | None:
        """The cached body, or None when missing or expired."""
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, key: Key, body: bytes) -> None:
        """Keep `body` for `ttl` seconds (no-op when caching is off)."""
        if self.ttl <= 0:
            return
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()  # simple and bounded; entries live a second anyway
            self._entries[key] = (time.monotonic() + self.ttl, body)

    async def get_or_render(self, key: Key, render: Callable[[], Awaitable[bytes]]) -> bytes:
        """The cached body, or one shared `render()` for all concurrent misses on `key`."""
        body = self.get(key)
        if body is not None:
            return body
        if self.ttl <= 0:
            return await render()  # caching off: every request reads the database itself
        with self._lock:
            pending = self._pending.get(key)
            if pending is None:
                future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
                self._pending[key] = future
                generation = self._generation
        if pending is not None:
            shared = await asyncio.shield(pending)
            # None: the shared render failed; render (and fail) on our own, as before.
            return shared if shared is not None else await render()
        try:
            body = await render()
        except BaseException:
            self._settle(key, future, None)
            raise
        if self._settle(key, future, body) == generation:
            self.put(key, body)
        return body

    def _settle(self, key: Key, future: asyncio.Future[bytes | None], body: bytes | None) -> int:
        """Hand a render's result to its waiters; return the current generation."""
        with self._lock:
            if self._pending.get(key) is future:
                del self._pending[key]
            generation = self._generation
        future.set_result(body)
        return generation

    def invalidate(self, thread_id: str) -> None:
        """Drop every entry about `thread_id`, and all batch counts."""
        with self._lock:
            self._generation += 1
            for key in [k for k in self._entries if k[0] == "counts" or k[1] == thread_id]:
                del self._entries[key]
            # Requests from now on must not join a render that may predate the write.
            for key in [k for k in self._pending if k[0] == "counts" or k[1] == thread_id]:
                del self._pending[key]


def response_cache(request: Request) -> ResponseCache:
    """The app's cache, created on first use."""
    cache: ResponseCache | None = getattr(request.app.state, "response_cache", None)
    if cache is None:
        cache = ResponseCache(request.app.state.settings.listing_cache_seconds)
        request.app.state.response_cache = cache
    return cache


def invalidate(request: Request, thread_id: str) -> None:
    """Forget cached answers about a thread after a write to it."""
    response_cache(request).invalidate(thread_id)


def commit_and_invalidate(request: Request, db: Session, thread_id: str) -> None:
    """Commit a write now (not after the response) and drop the thread's cached answers."""
    db.commit()
    invalidate(request, thread_id)


def committer(request: Request, db: Session) -> Callable[[str], None]:
    """`commit_and_invalidate` for this request, as the services' change flows take it."""
    return lambda thread_id: commit_and_invalidate(request, db, thread_id)

"""Which comment threads exist: the articles the builder published, read from its manifest.

The manifest is re-read when its modification time or size changes, so an article
published a moment ago accepts comments on the next request. A broken manifest never
takes threads away: the last good one stays in use and the problem is logged.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from builder.manifest import Manifest, ManifestError, Thread
from interactions_api.errors import NotFound

log = logging.getLogger(__name__)

# How often the file is stat()ed at most: cheap, but the listing path is hot.
CHECK_INTERVAL = 0.5


class ThreadRegistry:
    """The published threads, following the manifest file as it changes."""

    def __init__(self, manifest_path: Path, *, check_interval: float = CHECK_INTERVAL) -> None:
        self.path = manifest_path
        self.check_interval = check_interval
        self._threads: dict[str, Thread] = {}
        self._stamp: tuple[int, int] | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def get(self, thread_id: str) -> Thread | None:
        """The thread with this id, or None when no published article has it."""
        self._refresh()
        return self._threads.get(thread_id)

    def require(self, thread_id: str) -> Thread:
        """The thread with this id; a 404 `thread_not_found` when there is none."""
        thread = self.get(thread_id)
        if thread is None:
            raise NotFound(
                f"No published article has the comment thread {thread_id!r}.",
                code="thread_not_found",
            )
        return thread

    def known(self, thread_ids: list[str]) -> list[str]:
        """The ids among `thread_ids` that are published threads, in their order."""
        self._refresh()
        return [t for t in thread_ids if t in self._threads]

    def all(self) -> dict[str, Thread]:
        """Every published thread by id."""
        self._refresh()
        return dict(self._threads)

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self.check_interval:
            return
        with self._lock:
            if now - self._checked_at < self.check_interval:
                return
            try:
                self._reload()
            finally:
                # Only now: callers that skip the lock while this is fresh must find the
                # threads loaded (a burst at start-up once got 404s for published threads).
                self._checked_at = now

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            if self._stamp is not None:
                log.warning("manifest %s disappeared; keeping the last threads", self.path)
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        try:
            manifest = Manifest.from_json(
                self.path.read_text(encoding="utf-8"), origin=str(self.path)
            )
        except (OSError, UnicodeDecodeError, ManifestError) as exc:
            # Often a half-written file mid-publish; the next check picks up the good one.
            log.error("cannot read manifest: %s; keeping the last good threads", exc)
            return
        self._threads = dict(manifest.threads)
        self._stamp = stamp
        log.info("manifest %s: %d threads", self.path, len(self._threads))

"""Cached Markdown bodies read back on demand.

A parsed document keeps its body in the build cache's SQLite file, not in memory: a
reader per file and process fetches it when a page is rendered (forked render workers
open their own connection).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["BodyReader", "StaleCacheError", "read_body"]


class StaleCacheError(LookupError):
    """A cached body went missing during a build (the cache was deleted or reset)."""


class BodyReader:
    """Reads cached bodies on demand, over a read-only connection of its own in each
    process (forked render workers must not share the parent's connection)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def read(self, key: str) -> str:
        """The body stored under `key`; StaleCacheError when it is not there any more."""
        try:
            if self._db is None or self._pid != os.getpid():
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
                self._pid = os.getpid()
            row = self._db.execute("SELECT body FROM bodies WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise StaleCacheError(key) from exc
        if row is None:
            raise StaleCacheError(key)
        return str(row[0])

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}  # a connection does not travel between processes

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]


_readers: dict[Path, BodyReader] = {}


def read_body(path: Path, key: str) -> str:
    """The body stored under `key` in the cache file at `path`, over one reader per file
    and process (what a parse worker sends back in place of a body: it pickles small)."""
    reader = _readers.get(path)
    if reader is None:
        reader = _readers[path] = BodyReader(path)
    return reader.read(key)

"""Bounded CPU work: image re-encoding, password hashing, Markdown previews.

Each kind of heavy work has its own gate with a few slots per process, so one author
uploading large images cannot hold up sign-ins, and a burst cannot queue for ever: a
caller waits briefly for a slot, then gets 503 with `Retry-After`. The work itself runs
on a worker thread (sync routes already do; async routes go through `off_loop`), never on
the event loop, and Pillow and argon2 release the GIL while they compute.

The gates are per process on purpose: the cores they share are the process's, however
many apps (tests, `quire run`) it builds.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import ParamSpec, TypeVar

import anyio.to_thread

from interactions_api.errors import ServiceUnavailable

P = ParamSpec("P")
T = TypeVar("T")

WAIT_S = 2.0  # how long a request waits for a slot before it is told to come back
RETRY_AFTER_S = 2


class Busy(ServiceUnavailable):
    """503: every slot of a gate stayed taken while the request waited."""

    code = "busy"

    def __init__(self, what: str) -> None:
        super().__init__(f"The server is busy with other {what}; try again in a moment.")
        self.headers["Retry-After"] = str(RETRY_AFTER_S)


class CpuGate:
    """At most `slots` jobs of one kind at a time; a caller waits up to `wait_s` for one."""

    def __init__(self, what: str, *, slots: int, wait_s: float = WAIT_S) -> None:
        self.what = what
        self.slots = slots
        self.wait_s = wait_s
        self._free = threading.BoundedSemaphore(slots)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the block; raises `Busy` (503) when none frees up in time."""
        if not self._free.acquire(timeout=self.wait_s):
            raise Busy(self.what)
        try:
            yield
        finally:
            self._free.release()

    def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` inside a slot (call it from a worker thread)."""
        with self.slot():
            return fn(*args, **kwargs)


_GATES: dict[str, CpuGate] = {}
_LOCK = threading.Lock()


def gate(what: str) -> CpuGate:
    """The process's gate for one kind of work (made on first use, a slot per core)."""
    with _LOCK:
        found = _GATES.get(what)
        if found is None:
            found = _GATES[what] = CpuGate(what, slots=max(2, os.cpu_count() or 2))
        return found


async def off_loop(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking `fn` on a worker thread, so an async route never stalls the loop."""
    return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs))

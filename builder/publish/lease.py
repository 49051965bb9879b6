"""The publish lock as a lease: who holds it, until when, and a fencing token.

A lease names its holder (a random id per acquisition, the host, the process id and that
process's start time), runs out at `expires_at` unless the holder renews it, and carries
a fencing token one higher than any lease before it on the same target. It is taken
over at once when its holder is provably gone: released, expired, or its process no
longer runs on this very machine (same host, same boot, same pid namespace). A live
holder is never stolen from; LockedError says who holds the lease and until when.

The rules live here. A target only keeps one small record with compare-and-swap
(`LeaseStore`): S3 with If-Match / If-None-Match, a folder with flock. Redis or a
database (issue 25) fit the same two calls: `read` is GET (or SELECT), `swap` a
WATCH/MULTI (or `UPDATE ... WHERE version = ?`); there the token can come from INCR
and the store can refuse writes carrying an older token.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from builder.publish.errors import LockedError, LockLostError

log = logging.getLogger("quire.publish")


class LeaseStore(Protocol):
    """One record with compare-and-swap; `where` names it in messages."""

    where: str

    def read(self) -> tuple[bytes, str] | None:
        """The record and its version, or None when there is none."""
        ...

    def swap(self, data: bytes, expected: str | None) -> str | None:
        """Write if the version is still `expected` (None: no record); the new version,
        or None when the record changed meanwhile."""
        ...


@dataclass(frozen=True, slots=True)
class Lease:
    """One holder's claim on a target's publish lock."""

    holder: str  # random per acquisition: renewals and release name it
    owner: str  # what holds it, for people ("quire deploy", "quire worker")
    host: str
    machine: str  # boot id and pid namespace: where `pid` means something
    pid: int
    pid_start: str  # the process's start time: a reused pid is another process
    token: int  # fencing token: higher than every earlier lease of the target
    acquired_at: float
    expires_at: float
    released: bool = False

    def to_bytes(self) -> bytes:
        """The stored form (JSON)."""
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes, *, legacy_ttl: float) -> Lease:
        """Parse a record; a lock of an older Quire (no expiry) lasts `legacy_ttl` from its
        `at`, and an unreadable one counts as expired long ago."""
        try:
            info: dict[str, Any] = json.loads(data)
            if not isinstance(info, dict):
                raise ValueError("not an object")
            at = float(info.get("acquired_at") or info.get("at") or 0)
            return cls(
                holder=str(info.get("holder", "")),
                owner=str(info.get("owner", "another publish")),
                host=str(info.get("host", "")),
                machine=str(info.get("machine", "")),
                pid=int(info.get("pid", 0)),
                pid_start=str(info.get("pid_start", "")),
                token=int(info.get("token", 0)),
                acquired_at=at,
                expires_at=float(info.get("expires_at") or at + legacy_ttl),
                released=bool(info.get("released", False)),
            )
        except (ValueError, TypeError):
            return cls("", "an unreadable lock", "", "", 0, "", 0, 0.0, 0.0)

    def describe(self) -> str:
        """Who holds it, for messages."""
        return f"{self.owner} on {self.host or 'an unknown host'} (pid {self.pid})"


def gone(lease: Lease, now: float) -> str | None:
    """Why the lease's holder is provably gone, or None while it may still be working."""
    if lease.released:
        return "released"
    if now >= lease.expires_at:
        return "its lease ran out"
    if lease.host != socket.gethostname() or not lease.machine:
        return None  # another machine's process: only the lease's end tells
    boot, _, namespace = lease.machine.partition("/")
    here_boot, _, here_namespace = _machine().partition("/")
    if boot != here_boot:
        return f"{lease.host} restarted since"
    if namespace == here_namespace and not _alive(lease.pid, lease.pid_start):
        return f"its process {lease.pid} on {lease.host} is gone"
    return None


class LeaseLock:
    """Acquire, renew and release one target's lease (one acquisition per instance)."""

    def __init__(
        self,
        store: LeaseStore,
        owner: str,
        *,
        ttl: float,
        legacy_ttl: float = 1800,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.owner = owner
        self.ttl = ttl
        self.legacy_ttl = legacy_ttl
        self.clock = clock
        self.lease: Lease | None = None
        self._version: str | None = None

    def acquire(self) -> Lease:
        """Take the lease, or raise LockedError naming the holder and its lease's end."""
        current = self.store.read()
        previous = None
        if current is not None:
            previous = Lease.from_bytes(current[0], legacy_ttl=self.legacy_ttl)
            if gone(previous, self.clock()) is None:
                raise _locked(self.store.where, previous, self.clock())
        now = self.clock()
        lease = Lease(
            holder=uuid.uuid4().hex,
            owner=self.owner,
            host=socket.gethostname(),
            machine=_machine(),
            pid=os.getpid(),
            pid_start=_started(os.getpid()),
            token=(previous.token if previous else 0) + 1,
            acquired_at=now,
            expires_at=now + self.ttl,
        )
        version = self.store.swap(lease.to_bytes(), current[1] if current else None)
        if version is None:  # another publisher was quicker
            raced = self.store.read()
            if raced is None:
                raise LockedError(f"{self.store.where}: another publish took the lock; retry")
            winner = Lease.from_bytes(raced[0], legacy_ttl=self.legacy_ttl)
            raise _locked(self.store.where, winner, self.clock())
        self.lease, self._version = lease, version
        return lease

    def renew(self) -> Lease:
        """Extend our lease; LockLostError when it was taken over meanwhile."""
        lease = self._held()
        renewed = replace(lease, expires_at=self.clock() + self.ttl)
        version = self._swap_ours(renewed)
        if version is None:
            self.lease = None
            raise self._lost("it was taken over")
        self.lease, self._version = renewed, version
        return renewed

    def release(self) -> None:
        """Mark our lease released (the record stays: it carries the fencing token)."""
        if self.lease is None:
            return
        done = replace(self.lease, released=True, expires_at=self.clock())
        self._swap_ours(done)  # None: not ours any more, nothing to give back
        self.lease = self._version = None

    def _swap_ours(self, lease: Lease) -> str | None:
        """Replace our record; an earlier write of ours whose answer was lost is ours too."""
        version = self.store.swap(lease.to_bytes(), self._version)
        if version is None:
            current = self.store.read()
            if current is not None:
                stored = Lease.from_bytes(current[0], legacy_ttl=self.legacy_ttl)
                if stored.holder == lease.holder and not stored.released:
                    version = self.store.swap(lease.to_bytes(), current[1])
        return version

    def check(self) -> None:
        """Raise LockLostError unless our lease surely still runs (before any write)."""
        lease = self._held()
        if self.clock() >= lease.expires_at - self.ttl / 10:
            raise self._lost("it was not renewed in time and may have been taken over")

    def holds(self) -> bool:
        """Whether our lease surely still runs."""
        try:
            self.check()
        except LockLostError:
            return False
        return True

    def _held(self) -> Lease:
        if self.lease is None:
            raise self._lost("it was taken over")
        return self.lease

    def _lost(self, why: str) -> LockLostError:
        return LockLostError(
            f"{self.store.where}: this publish lost its lock ({why}); it stopped before "
            "changing more. The publish that holds the lock now finishes the job"
        )


class Renewer:
    """Renew a held lease in the background, every third of its time, until left."""

    def __init__(self, lock: LeaseLock) -> None:
        self.lock = lock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="quire-lease", daemon=True)

    def __enter__(self) -> LeaseLock:
        self._thread.start()
        return self.lock

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.lock.ttl / 3):
            try:
                self.lock.renew()
            except LockLostError:
                return  # check() stops the publish before its next write
            except Exception as exc:  # a network hiccup: the next turn tries again
                # If it lasts, check() stops the publish before the lease can run out.
                where = self.lock.store.where
                log.warning("%s: could not renew the publish lease: %s", where, exc)


def _locked(where: str, lease: Lease, now: float) -> LockedError:
    wait = max(0.0, lease.expires_at - now)
    error = LockedError(
        f"{where}: {lease.describe()} is publishing this target; its lease runs "
        f"{wait:.0f} s more and is renewed while it works (a stopped publish's lock is "
        "taken over when its lease runs out, at once on the same host)"
    )
    error.retry_after = wait
    return error


def _machine() -> str:
    """This boot and this pid namespace: a pid is only comparable within both."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = str(Path("/proc/self/ns/pid").readlink())
    except OSError:
        return ""  # no /proc: never judge a pid, wait for the lease to run out
    return f"{boot}/{namespace}"


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces


def _started(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" when unknown)."""
    fields = _stat(pid)
    return fields[19] if fields else ""


def _alive(pid: int, started: str) -> bool:
    """Whether process `pid`, started at `started`, still runs on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    fields = _stat(pid)
    if fields is None:
        return True  # it exists and we cannot look closer
    if fields[0] in ("Z", "X"):
        return False  # killed, waiting only to be reaped
    return not started or fields[19] == started

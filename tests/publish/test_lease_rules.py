"""When a lease's holder counts as gone: the cases a local process cannot play.

Another machine's lease is written as that machine would write it: its pid means
nothing here, so only the lease's end frees it. On this machine a pid is trusted only
within the same boot and pid namespace, and only with the same process start time.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from builder.publish.errors import LockedError, TargetError
from builder.publish.lease import Lease, LeaseLock
from builder.publish.local import LocalTarget
from builder.publish.s3 import S3Target

from .faultproxy import FaultProxy


def _machine() -> tuple[str, str]:
    boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    return boot, str(Path("/proc/self/ns/pid").readlink())


def _dead_pid() -> int:
    """The pid of a process that ran on this machine and has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _stored(tmp_path: Path, **changes: object) -> LeaseLock:
    """A target whose lock record is a live lease of some other holder, changed as asked."""
    boot, namespace = _machine()
    now = time.time()
    lease = Lease(
        holder="theirs",
        owner="their deploy",
        host=socket.gethostname(),
        machine=f"{boot}/{namespace}",
        pid=_dead_pid(),
        pid_start="1",
        token=7,
        acquired_at=now,
        expires_at=now + 600,
    )
    store = LocalTarget(tmp_path / "bucket").lease_store()
    assert store.swap(replace(lease, **changes).to_bytes(), None)  # type: ignore[arg-type]
    return LeaseLock(store, "us", ttl=60)


@pytest.mark.parametrize(
    "changes",
    [
        {"host": "build-02"},  # another machine: its pid says nothing here
        {"machine": f"{_machine()[0]}/pid:[1]"},  # a container sharing our host name
        {"pid": os.getpid(), "pid_start": ""},  # a live process of ours (no start known)
    ],
)
def test_a_holder_that_may_be_alive_keeps_its_lease(
    tmp_path: Path, changes: dict[str, object]
) -> None:
    with pytest.raises(LockedError, match=r"their deploy on .* is publishing") as locked:
        _stored(tmp_path, **changes).acquire()
    assert locked.value.retry_after is not None and 590 < locked.value.retry_after <= 600


@pytest.mark.parametrize(
    "changes",
    [
        {},  # its process exited
        {"pid": os.getppid()},  # the pid runs, but it is another process (start differs)
        {"machine": f"another-boot/{_machine()[1]}"},  # the machine restarted since
        {"host": "build-02", "expires_at": time.time() - 1},  # another machine's, run out
        {"released": True},
    ],
)
def test_a_provably_gone_holder_is_taken_over_with_a_higher_token(
    tmp_path: Path, changes: dict[str, object]
) -> None:
    lock = _stored(tmp_path, **changes)
    lease = lock.acquire()
    assert lease.token == 8 and lease.owner == "us"
    lock.release()
    again = LeaseLock(lock.store, "next", ttl=60).acquire()
    assert again.token == 9  # the record outlives a release, so tokens never repeat


def test_a_renewal_whose_answer_was_lost_keeps_the_lease(
    flaky_s3: Any, bucket: str, proxy: FaultProxy
) -> None:
    lock = LeaseLock(S3Target(flaky_s3, bucket).lease_store(), "us", ttl=60)
    first = lock.acquire()
    # The renewal reaches S3, but its answer is a 500: the lease's ETag is news to us
    # (and a retry of the same PUT by the client is refused with 412).
    proxy.lose_answer("PUT", r"^\.quire/lock$")
    with contextlib.suppress(TargetError):  # a client that does not retry: next turn
        lock.renew()
    assert proxy.hits
    renewed = lock.renew()  # our own record: renewed, not "taken over"
    assert renewed.holder == first.holder and renewed.token == first.token
    rival = LeaseLock(S3Target(flaky_s3, bucket).lease_store(), "rival", ttl=60)
    with pytest.raises(LockedError, match=r"us on .* is publishing"):
        rival.acquire()
    lock.release()
    assert rival.acquire().token == first.token + 1

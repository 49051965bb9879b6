"""The publish lock is a lease: a dead holder's is taken over at once, a frozen holder's
when it runs out, a live holder's never. Each holder is a real process (lockholder.py)
stopped in the middle of its first upload, on a folder target and on S3 (moto)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from builder.publish.errors import LockedError
from builder.publish.local import LocalTarget
from builder.publish.publish import publish
from builder.publish.s3 import S3Target
from builder.publish.target import Target

from .conftest import BASE_SITE, CREDENTIALS, REGION, bucket_files, write_output

ROOT = Path(__file__).resolve().parents[2]


class Holder:
    """A publishing process that holds the lock, stalled in its first upload."""

    def __init__(self, url: str, output: Path, env: dict[str, str], lease: float | None) -> None:
        self.resume = output.parent / "resume"
        args = [sys.executable, "-m", "tests.publish.lockholder", url, str(output)]
        self.proc = subprocess.Popen(
            [*args, *([str(lease)] if lease else [])],
            cwd=ROOT,
            env={**os.environ, **env, "QUIRE_TEST_RESUME": str(self.resume)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else "(nothing in 30 s)"
        assert line.strip() == "uploading", line + self.proc.stdout.read()

    def finish(self) -> str:
        """Let the stalled upload go on; the process's output to its end."""
        self.resume.touch()
        out, _ = self.proc.communicate(timeout=30)
        return out


@pytest.fixture(params=["folder", "s3"])
def place(
    request: pytest.FixtureRequest, tmp_path: Path, moto_url: str, s3: Any, bucket: str
) -> Iterator[tuple[str, dict[str, str], Target]]:
    """A target URL, the holder's environment, and the same target for this process."""
    if request.param == "folder":
        dest = tmp_path / "bucket"
        yield dest.as_uri(), {}, LocalTarget(dest)
        return
    env = {
        "QUIRE_S3_ENDPOINT_URL": moto_url,
        "AWS_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "AWS_DEFAULT_REGION": REGION,
    }
    yield f"s3://{bucket}", env, S3Target(s3, bucket)


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    """Holders started by a test; any still running at its end is killed."""
    started: list[Holder] = []
    yield started
    for holder in started:
        if holder.proc.poll() is None:
            holder.proc.kill()
            holder.proc.wait()


def _published(place: tuple[str, dict[str, str], Target], s3: Any) -> dict[str, bytes]:
    url, _env, target = place
    if isinstance(target, S3Target):
        return bucket_files(s3, target.bucket)
    root = Path(url.removeprefix("file://"))
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(".quire")
    }


def test_lock_of_a_killed_publish_is_taken_over_at_once(
    out: Path, place: tuple[str, dict[str, str], Target], s3: Any, holders: list[Holder]
) -> None:
    url, env, target = place
    write_output(out, BASE_SITE)
    holders.append(holder := Holder(url, out, env, lease=None))  # the default lease
    holder.proc.send_signal(signal.SIGKILL)  # no chance to release anything
    holder.proc.wait()

    started = time.monotonic()
    publish(out, target)  # no LockedError: the holder's process is gone from this host
    assert time.monotonic() - started < 10
    assert len(_published(place, s3)) == len(BASE_SITE)


def test_a_live_holder_is_not_stolen_from(
    out: Path, place: tuple[str, dict[str, str], Target], s3: Any, holders: list[Holder]
) -> None:
    url, env, target = place
    write_output(out, BASE_SITE)
    holders.append(holder := Holder(url, out, env, lease=2.0))
    time.sleep(4.5)  # more than twice its lease: it renews while it works
    with pytest.raises(LockedError, match=rf"\(pid {holder.proc.pid}\) is publishing"):
        publish(out, target)
    assert "published" in holder.finish()  # it kept the lock to the end
    assert holder.proc.returncode == 0
    assert len(_published(place, s3)) == len(BASE_SITE)


def test_a_lease_not_renewed_expires_and_its_late_holder_stops(
    out: Path,
    tmp_path: Path,
    place: tuple[str, dict[str, str], Target],
    s3: Any,
    holders: list[Holder],
) -> None:
    url, env, target = place
    old = tmp_path / "old"
    write_output(old, BASE_SITE)
    holders.append(holder := Holder(url, old, env, lease=1.0))
    holder.proc.send_signal(signal.SIGSTOP)  # alive but frozen: it cannot renew
    newer = dict(BASE_SITE, **{"index.html": ("<p>newer", "html")})
    write_output(out, newer)
    with pytest.raises(LockedError):
        publish(out, target)  # its lease still runs
    time.sleep(1.2)
    publish(out, target)  # run out: taken over

    holder.proc.send_signal(signal.SIGCONT)
    output = holder.finish()
    # It notices before its next group and stops instead of overwriting the newer pages.
    assert holder.proc.returncode == 1 and "taken over" in output, output
    assert _published(place, s3)["index.html"] == b"<p>newer"

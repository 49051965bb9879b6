"""`quire worker` as a real process: the reconciler at start, rq's forking Worker, and a
worker killed in the middle of a build (another one finishes the job, the site converges)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from fastapi import FastAPI
from inbox_helpers import approve, builds, detail, snapshot, submit

from builder.manifest import read_manifest

QUIRE = str(Path(sys.executable).parent / "quire")


def _start_worker(redis: Any, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QUIRE_REDIS_URL": f"unix://{redis.socket_file}"}
    return subprocess.Popen(
        [QUIRE, "worker", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the work horse dies with it
    )


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_quire_worker_picks_up_an_approval_made_while_redis_was_down(
    app: FastAPI, author: Any, editor: Any, redis: Any, worker_env: None, bucket: Path
) -> None:
    sub = submit(author)
    app.state.redis = redis_lib.Redis(port=1, socket_connect_timeout=0.5)  # unreachable
    assert approve(editor, sub).json()["build"] == "pending"

    worker = _start_worker(redis, "--burst")
    output, _ = worker.communicate(timeout=120)

    assert worker.returncode == 0, output.decode()
    assert (bucket / "posts" / "hello-from-the-inbox" / "index.html").is_file()
    assert detail(author, sub)["submission"]["status"] == "published"


@pytest.mark.slow
def test_worker_killed_mid_build_then_another_worker_converges(
    author: Any,
    editor: Any,
    redis: Any,
    worker_env: None,
    bucket: Path,
    engine: Any,
    settings: Any,
) -> None:
    subs = [submit(author, title=f"Killed post {n}") for n in range(10)]
    for sub in subs:
        approve(editor, sub)
    worker = _start_worker(redis)
    lock = bucket / ".quire-lock"  # LocalTarget holds it while it publishes
    deadline = time.monotonic() + 60
    while not lock.exists() and time.monotonic() < deadline:
        time.sleep(0.002)
    # Like a machine going down: the worker and its work horse (rq puts the horse in a
    # process group of its own) die at once, with no chance to clean up.
    for pid in [*_children(worker.pid), worker.pid]:
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    worker.wait(10)
    first = builds(engine)[0]
    assert first.status == "running", first.log  # it never finished
    assert lock.exists()  # killed in the middle of publishing, holding the target's lock

    # A new worker: its reconciler sees the open outbox rows and builds again.
    second = _start_worker(redis, "--burst")
    output, _ = second.communicate(timeout=180)

    assert second.returncode == 0, output.decode()
    for n in range(10):
        assert (bucket / "posts" / f"killed-post-{n}" / "index.html").is_file()
    assert {detail(author, s)["submission"]["status"] for s in subs} == {"published"}
    assert builds(engine)[-1].status == "succeeded"
    killed = builds(engine)[0]
    assert killed.status == "failed" and "stopped" in killed.errors[0]
    # Converged: the bucket holds exactly the last build's files, byte for byte.
    manifest = read_manifest(settings.data_dir / "sites" / "main" / "public")
    assert manifest is not None
    published = snapshot(bucket)
    for path, entry in manifest.files.items():
        assert published.get(path) == entry.sha256, path
    assert json.loads(lock.read_text())["released"]  # the dead horse's lease was taken over

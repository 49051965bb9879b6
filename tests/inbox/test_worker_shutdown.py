"""`quire worker` stops cleanly on SIGTERM and SIGINT: the build it runs finishes and is
published, it exits with 0, and nothing it started is left: no child process and no
redis-server, neither its embedded Redis nor one started behind its back. A second
signal stops the job at once, and the job is queued again rather than lost."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis as redis_lib
from fastapi import FastAPI
from inbox_helpers import approve, builds, detail, submit
from processes import QUIRE, reap_redis, redis_servers_under, survivors, wait_exit
from rq import Queue
from rq.job import JobStatus
from rq.serializers import JSONSerializer

from interactions_api.services.outbox import BUILD_QUEUE

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("reap_redis")]
__all__ = ["reap_redis"]  # a fixture, imported to be used


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_worker_finishes_its_build_and_leaves_nothing_behind(
    app: FastAPI,
    author: Any,
    editor: Any,
    worker_env: None,
    bucket: Path,
    tmp_path: Path,
    signum: int,
) -> None:
    sub = submit(author)
    app.state.redis = redis_lib.Redis(port=1, socket_connect_timeout=0.5)  # unreachable
    assert approve(editor, sub).json()["build"] == "pending"  # the worker's reconciler builds
    (tmp_path / "tmp").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "QUIRE_REDIS_URL"}  # embedded Redis
    worker = subprocess.Popen(
        [QUIRE, "worker"],
        env={**env, "TMPDIR": str(tmp_path / "tmp")},
        stdout=(tmp_path / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    engine = app.state.engine
    deadline = time.monotonic() + 60
    while not (builds(engine) and builds(engine)[-1].status == "running"):
        assert worker.poll() is None and time.monotonic() < deadline, "no build started"
        time.sleep(0.02)
    children = psutil.Process(worker.pid).children(recursive=True)  # scheduler, work horse
    started = [*children, *redis_servers_under(tmp_path)]

    worker.send_signal(signum)

    try:
        assert wait_exit(worker, within=20) == 0
    finally:
        print((tmp_path / "worker.log").read_text())
    assert builds(engine)[-1].status == "succeeded"  # the build finished, not cut short
    assert (bucket / "posts" / "hello-from-the-inbox" / "index.html").is_file()
    assert detail(author, sub)["submission"]["status"] == "published"
    assert survivors(started) == []
    assert redis_servers_under(tmp_path) == []


def test_a_second_signal_stops_the_job_and_queues_it_again(redis: Any, worker_env: None) -> None:
    queue = Queue(BUILD_QUEUE, connection=redis, serializer=JSONSerializer)
    job = queue.enqueue("time.sleep", 60)  # a job longer than anyone waits for a shutdown
    worker = subprocess.Popen(
        [QUIRE, "worker"],
        env={**os.environ, "QUIRE_REDIS_URL": f"unix://{redis.socket_file}"},
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while job.get_status(refresh=True) != JobStatus.STARTED:
        assert worker.poll() is None and time.monotonic() < deadline, "the job did not start"
        time.sleep(0.05)
    children = psutil.Process(worker.pid).children(recursive=True)  # scheduler, work horse

    worker.send_signal(signal.SIGTERM)  # warm: the job would finish first
    time.sleep(1.5)  # rq ignores a repeat within a second
    worker.send_signal(signal.SIGTERM)  # cold: stop it now

    assert wait_exit(worker, within=15) == 0
    assert job.get_status(refresh=True) == JobStatus.QUEUED  # not lost
    assert queue.job_ids == [job.id]
    assert survivors(children) == []

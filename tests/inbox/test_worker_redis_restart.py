"""`quire worker` through a Redis restart: the scheduler, the queues and the log carry on.

A real `quire worker` process on a redis-server of the test's own, which the test stops
for longer than redis-py's own retries last and starts again with its data, as a
restarted Redis service comes back.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from processes import QUIRE, RedisProcess, wait_exit
from rq import Queue
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer

pytestmark = pytest.mark.slow
SEND_MAIL = "interactions_api.worker.jobs.send_mail"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A redis-server this test may restart (never the machine's)."""
    server = RedisProcess(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


def _mail_to(smtp: Any) -> dict[str, str]:
    """The worker sends its mail to the test's SMTP server: a mail arriving is a job run."""
    return {"QUIRE_SMTP_HOST": smtp.host, "QUIRE_SMTP_PORT": str(smtp.port),
            "QUIRE_SMTP_STARTTLS": "false"}  # fmt: skip


def _wait_for(check: Callable[[], Any], *, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {within:.1f} s"
        time.sleep(0.1)


def test_scheduled_and_queued_jobs_run_after_redis_restarts(
    own_redis: RedisProcess, worker_env: None, smtp_server: Any, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [QUIRE, "worker"],
            env={**os.environ, **_mail_to(smtp_server), "QUIRE_REDIS_URL": own_redis.url},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        client = redis_lib.Redis.from_url(own_redis.url)
        lock = RQScheduler.get_locking_key("default")
        _wait_for(lambda: client.exists(lock), within=30, what="the worker's scheduler")
        queue = Queue("default", connection=client, serializer=JSONSerializer)
        queue.enqueue_in(timedelta(seconds=8), SEND_MAIL, "due@example.org", "Due", "Scheduled.")
        due = time.monotonic() + 8

        own_redis.stop()
        time.sleep(6)  # longer than redis-py retries a lost connection on its own
        own_redis.start()

        scheduled = "the mail scheduled before the restart"
        _wait_for(lambda: smtp_server.to("due@example.org"), within=due + 5 - time.monotonic(),
                  what=scheduled)  # fmt: skip
        queue.enqueue(SEND_MAIL, "queued@example.org", "Queued", "Enqueued after the restart.")
        _wait_for(lambda: smtp_server.to("queued@example.org"), within=5,
                  what="the mail queued after the restart")  # fmt: skip
        client.close()
    finally:
        worker.send_signal(signal.SIGTERM)
        code = wait_exit(worker, within=15)
        print(log.read_text())  # shown when the test fails
    output = log.read_text()
    assert code == 0, output
    assert "lost Redis" in output and "Redis is back" in output, output  # the log says so

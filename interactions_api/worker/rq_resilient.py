"""rq's worker and scheduler, made to outlast a Redis restart.

rq's scheduler runs in a child process that dies on the first Redis error its client
gives up on (redis-py retries for a few seconds only); the worker restarts it only at its
next maintenance pass, ten minutes later, and leaves it defunct until then. Scheduled
builds and publications waited all that time. Here the scheduler waits for Redis and
carries on, the worker checks on it at every turn of its loop, and each says in the log
when Redis went away and when it came back.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from typing import Any
from uuid import uuid4

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, Worker
from rq.job import Job
from rq.scheduler import RQScheduler

log = logging.getLogger("quire.worker")
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
SCHEDULER_STOP_GRACE = 10.0  # seconds the scheduler gets to release its locks
# One scheduler name for the life of this process: a work loop started again after a
# Redis outage takes back at once the locks its scheduler could not release, instead of
# going without a scheduler until they expire.
SCHEDULER_NAME = f"quire-{uuid4().hex}"


class Outage:
    """Remembers whether Redis is away, so each loss and each return is logged once."""

    def __init__(self, who: str) -> None:
        self.who = who
        self.since: float | None = None

    def lost(self, exc: BaseException) -> None:
        """Redis failed `who`: log it the first time."""
        if self.since is None:
            self.since = time.monotonic()
            log.warning("%s lost Redis (%s); retrying until it answers", self.who, exc)

    def back(self) -> bool:
        """Redis answered `who`: log it if it had been away; True when it had."""
        if self.since is None:
            return False
        away = time.monotonic() - self.since
        log.warning("Redis is back for the %s after %.1f s", self.who, away)
        self.since = None
        return True


class ResilientScheduler(RQScheduler):
    """rq's scheduler loop, but a Redis outage pauses it instead of ending its process."""

    def work(self) -> None:
        """Move due jobs to their queues every `interval` seconds until asked to stop."""
        self._install_signal_handlers()
        outage = Outage("scheduler")
        born = False
        while not self._stop_requested:
            try:
                if not born or outage.since is not None:
                    self.register_birth()  # again: a restarted Redis may have lost it
                    born = True
                if self.should_reacquire_locks:
                    self.acquire_locks()
                self.heartbeat()  # re-takes a lock a data-less restart dropped
                self.enqueue_scheduled_jobs()
                outage.back()
            except REDIS_DOWN as exc:
                outage.lost(exc)
            time.sleep(self.interval)
        try:
            self.stop()
        except REDIS_DOWN as exc:  # its locks expire on their own
            log.warning("scheduler stopped without releasing its locks (%s)", exc)


class QuireWorker(Worker):
    """rq's forking worker with a scheduler that outlasts Redis restarts.

    A Redis error in the maintenance pass is logged and the pass retried, instead of
    ending the work loop; a lost connection is retried every two seconds, not every minute.
    """

    max_connection_wait_time = 2.0
    stop_requested = False

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = "%H:%M:%S",
        log_format: str = "%(asctime)s %(message)s",
    ) -> None:
        if burst:  # a single pass in this process: nothing to outlast
            super()._start_scheduler(burst, logging_level, date_format, log_format)
            return
        self.scheduler = ResilientScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level or "INFO",
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
            name=SCHEDULER_NAME,
        )
        self.scheduler.acquire_locks(auto_start=True)

    @property
    def should_run_maintenance_tasks(self) -> bool:
        """rq's schedule, and at once when the scheduler process has ended."""
        return bool(super().should_run_maintenance_tasks) or self._scheduler_ended()

    def _scheduler_ended(self) -> bool:
        process = self.scheduler._process if self.scheduler else None
        return process is not None and not process.is_alive()  # is_alive() reaps it

    def run_maintenance_tasks(self) -> None:
        """Restart an ended scheduler and clean the registries; Redis away skips a pass."""
        if self._stop_requested:  # rq would start the scheduler it has just stopped
            return
        ended = self._scheduler_ended()
        if ended:
            log.warning("the scheduler process ended; starting it again")
        try:
            super().run_maintenance_tasks()
        except REDIS_DOWN as exc:
            log.warning("worker maintenance skipped: Redis unavailable (%s)", exc)
            return
        if ended and self.scheduler and self._scheduler_ended():
            # another worker's scheduler holds the queues now; rq retries at its next pass
            self.scheduler._process = None

    def set_state(self, state: Any, pipeline: Any = None) -> None:
        """rq's state for monitoring; Redis away must not end the work loop for it."""
        try:
            super().set_state(state, pipeline)
        except REDIS_DOWN as exc:
            log.warning("worker state not saved: Redis unavailable (%s)", exc)

    def request_stop(self, signum: Any, frame: Any) -> None:
        """A first SIGTERM/SIGINT: finish the current job, then stop (rq's warm shutdown)."""
        self.stop_requested = True
        super().request_stop(signum, frame)

    def request_force_stop(self, signum: int, frame: Any) -> None:
        """A second signal: stop the job at once (rq's cold shutdown), then queue it again
        at the front, so the next worker runs it instead of it being lost as abandoned."""
        job = self.get_current_job() if self.horse_pid else None
        try:
            super().request_force_stop(signum, frame)
        except SystemExit:
            if job is not None:
                self._requeue(job)
            raise

    def _requeue(self, job: Job) -> None:
        try:
            job.started_job_registry.remove_executions(job)
            queue = Queue(job.origin, connection=self.connection, serializer=self.serializer)
            queue.enqueue_job(job, at_front=True)
        except REDIS_DOWN as exc:  # rq's cleanup will find it abandoned and fail it
            log.warning("job %s was stopped and could not be queued again (%s)", job.id, exc)
            return
        log.warning("job %s was stopped by the shutdown and is queued again", job.id)

    def teardown(self) -> None:
        """rq's teardown, and close the connection its scheduler opened in this process
        (an embedded Redis stops only once no client is left)."""
        try:
            super().teardown()
        finally:
            connection = self.scheduler._connection if self.scheduler else None
            if connection is not None:
                connection.connection_pool.disconnect()

    def unsubscribe(self) -> None:
        """Leave the worker's command channel without waiting up to a minute.

        rq unsubscribes first and then stops the pubsub thread; the unsubscribe reply can
        wake the thread before it sees the stop, and it then waits `sleep_time` (60 s) for
        a subscription that never comes while rq, with redis-py 8, waits for it. Asking
        the thread to stop first lets the reply end it at once.
        """
        thread = self.pubsub_thread
        if not thread:
            return
        self.log.info("Worker %s: unsubscribing from its channel", self.name)
        thread.stop(timeout=0)  # only clears its running flag
        self.pubsub.unsubscribe()
        thread.join(timeout=1)  # a daemon thread: never wait longer for it
        self.pubsub.close()

    def stop_scheduler(self) -> None:
        """Stop the scheduler process, waiting a bounded time (rq waits forever)."""
        process = self.scheduler._process if self.scheduler else None
        if process is None or process.pid is None:
            return
        if process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
        process.join(SCHEDULER_STOP_GRACE)
        if process.is_alive():
            log.warning("the scheduler did not stop in %.0f s; killing it", SCHEDULER_STOP_GRACE)
            process.kill()
            process.join()

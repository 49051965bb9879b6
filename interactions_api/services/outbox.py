"""From the outbox to RQ: enqueue (coalesced) build jobs; what is owed and not done.

One job id per site: while a build is queued, more approvals add nothing to the queue
(the queued build will pick them up). While a build runs, at most one follow-up build is
queued, for what arrived after it read the outbox. So a burst of approvals costs at most
two builds. Jobs are enqueued by dotted name with the JSON serializer: the API never
imports the worker's code.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer
from sqlalchemy import insert
from sqlmodel import Session, col, select

from interactions_api.config import Settings
from interactions_api.models.common import utcnow
from interactions_api.models.inbox import OutboxEntry

log = logging.getLogger("quire.outbox")

BUILD_JOB = "interactions_api.worker.jobs.build_site"
BUILD_QUEUE = "builds"
WAITING = frozenset({JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED})
EnqueueResult = Literal["queued", "coalesced", "pending"]


def build_job_ids(site: str) -> tuple[str, str]:
    """The job id of a site's build, and of the one follow-up queued while it runs."""
    return f"quire-build-{site}", f"quire-build-{site}-next"


def enqueue_coalesced(
    redis: Any, ids: tuple[str, str], enqueue: Callable[[str], None]
) -> EnqueueResult:
    """Enqueue job `ids[0]` unless it is waiting already; while it runs, at most one
    follow-up (`ids[1]`): the running one may have started before what asked for this."""
    first, follow_up = ids
    status = _status(redis, first)
    if status in WAITING:
        return "coalesced"
    if status != JobStatus.STARTED:
        enqueue(first)
        return "queued"
    if _status(redis, follow_up) in WAITING:
        return "coalesced"
    enqueue(follow_up)
    return "queued"


def _status(redis: Any, job_id: str) -> JobStatus | None:
    # One HGET of the status field: Job.fetch loads and decodes the whole job (arguments,
    # result, timestamps), which was the largest CPU cost of posting a comment.
    raw = redis.hget(Job.key_for(job_id), "status")
    if not raw:
        return None
    return JobStatus(raw.decode() if isinstance(raw, bytes) else raw)


def _queue(redis: Any) -> Queue:
    return Queue(BUILD_QUEUE, connection=redis, serializer=JSONSerializer)


def site_job_options(settings: Settings, job_id: str, description: str) -> dict[str, Any]:
    """RQ options of a job for the site (a build, a search refresh): timeout, kept results,
    retries with backoff (a flaky bucket or a restarted Redis gets time to come back)."""
    options: dict[str, Any] = {
        "job_id": job_id,
        "kwargs": {"site": settings.site_id},
        "job_timeout": settings.build_timeout,
        "result_ttl": 86400,
        "failure_ttl": 7 * 86400,
        "description": description,
    }
    if settings.build_retries:
        options["retry"] = Retry(max=settings.build_retries, interval=[10, 60, 300])
    return options


def _enqueue(redis: Any, settings: Settings, job_id: str, at: datetime | None = None) -> None:
    queue = _queue(redis)
    options = site_job_options(settings, job_id, f"build and publish site {settings.site_id}")
    if at is None:
        queue.enqueue(BUILD_JOB, **options)
    else:
        queue.enqueue_at(at, BUILD_JOB, **options)


def enqueue_build(redis: Any, settings: Settings) -> EnqueueResult:
    """Make sure a build of the site will run; 'pending' when Redis cannot be reached."""
    first, follow_up = build_job_ids(settings.site_id)
    try:
        # A build not started yet will read the outbox after this caller's commit, so
        # there is nothing to add: answer without the lock, which every comment post
        # contended for (redis-py polls a held lock every 100 ms).
        if _status(redis, first) in WAITING:
            return "coalesced"
        # The lock makes check-then-enqueue atomic between API processes.
        with redis.lock(f"quire-enqueue-{settings.site_id}", timeout=10, blocking_timeout=10):
            return enqueue_coalesced(
                redis, (first, follow_up), lambda job_id: _enqueue(redis, settings, job_id)
            )
    except (RedisError, OSError) as exc:
        # The approval is safe in the outbox; the worker's reconciler will enqueue it.
        log.warning("build of %s not enqueued (Redis unavailable: %s)", settings.site_id, exc)
        return "pending"


def schedule_build(redis: Any, settings: Settings, at: datetime) -> EnqueueResult:
    """Have the RQ scheduler start a build at `at` (one job per site and moment)."""
    job_id = f"quire-build-{settings.site_id}-at-{int(at.timestamp())}"
    try:
        if _status(redis, job_id) in WAITING:
            return "coalesced"
        _enqueue(redis, settings, job_id, at=at)
        return "queued"
    except (RedisError, OSError) as exc:
        log.warning("scheduled build at %s not enqueued (%s)", at.isoformat(), exc)
        return "pending"


def outstanding(db: Session, site: str) -> list[OutboxEntry]:
    """Every publish owed for the site and not done, soonest first."""
    return list(
        db.exec(
            select(OutboxEntry)
            .where(OutboxEntry.site == site, col(OutboxEntry.done_at).is_(None))
            .order_by(col(OutboxEntry.due_at), col(OutboxEntry.id))
        ).all()
    )


def owe_publish(db: Session, site: str, reason: str) -> OutboxEntry:
    """Record a publish owed that no approval caused (a push, a manual rebuild)."""
    entry = OutboxEntry(site=site, reason=reason)
    db.add(entry)
    db.flush()
    return entry


def owe_publish_row(db: Session, site: str, reason: str) -> None:
    """`owe_publish` for a caller that needs no object back: one INSERT with no ORM
    object or flush around it (every approved comment pays it: about 1.5 ms less)."""
    now = utcnow()
    values = {"site": site, "reason": reason, "due_at": now, "created_at": now, "outcome": ""}
    db.execute(_outbox_insert(), values)


@functools.cache
def _outbox_insert() -> Any:
    table: Any = OutboxEntry.__table__  # type: ignore[attr-defined]
    return insert(table)

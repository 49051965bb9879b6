"""The reconciler: the outbox compared with the queues, at start and then periodically.

Approvals made while Redis was down get their build, schedules missed while no worker ran
publish at once, and future ones are handed to the RQ scheduler.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from interactions_api.config import Settings
from interactions_api.models.common import utcnow
from interactions_api.services.outbox import enqueue_build, outstanding, schedule_build
from interactions_api.services.review import aware

log = logging.getLogger("quire.worker")


def reconcile(engine: Engine, redis: Any, settings: Settings) -> dict[str, int]:
    """Enqueue a build for whatever is owed and due, and schedule what is owed later."""
    now = utcnow()
    with Session(engine) as db:
        entries = outstanding(db, settings.site_id)
    due = [e for e in entries if aware(e.due_at) <= now]
    later = sorted({aware(e.due_at) for e in entries if aware(e.due_at) > now})
    result = {"due": len(due), "scheduled": 0}
    if due:
        enqueue_build(redis, settings)
    for moment in later:
        if schedule_build(redis, settings, moment) != "pending":
            result["scheduled"] += 1
    return result


def reconcile_safely(engine: Engine, redis: Any, settings: Settings) -> dict[str, int] | None:
    """Reconcile once; a dependency being down is logged, never fatal."""
    try:
        found = reconcile(engine, redis, settings)
    except (RedisError, OSError, SQLAlchemyError) as exc:
        log.warning("reconcile skipped: %s", exc)
        return None
    if found["due"] or found["scheduled"]:
        log.info("reconciled: %(due)s publish(es) due, %(scheduled)s scheduled", found)
    return found


class Reconciler(threading.Thread):
    """Reconciles every `interval` seconds until stopped."""

    def __init__(self, engine: Engine, redis: Any, settings: Settings) -> None:
        super().__init__(name="quire-reconciler", daemon=True)
        self.engine, self.redis, self.settings = engine, redis, settings
        self.stopped = threading.Event()

    def run(self) -> None:
        """Loop until `stop()`."""
        while not self.stopped.wait(self.settings.reconcile_interval):
            try:
                reconcile_safely(self.engine, self.redis, self.settings)
            except Exception:  # a bug in one pass must not end the schedule for good
                log.exception("reconcile failed; next try in %ss", self.settings.reconcile_interval)

    def stop(self) -> None:
        """Ask the loop to end."""
        self.stopped.set()

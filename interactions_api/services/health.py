"""The platform's health: what `/api/ready` probes, and the fuller view admins read in
Studio (the workers alive, the last build and publish, the publishes still owed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError
from rq import Worker
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from interactions_api.db import database_answers
from interactions_api.models.admin_io import Check, WorkerCheck
from interactions_api.models.inbox import BuildRecord, OutboxEntry


@dataclass(frozen=True)
class Probe:
    """The readiness checks, and the names of the live workers."""

    database: Check
    redis: Check
    worker: WorkerCheck
    workers: tuple[str, ...] = ()

    @property
    def down(self) -> list[str]:
        """The dependencies that did not answer (the worker is informational)."""
        return [name for name in ("database", "redis") if getattr(self, name) == "down"]


def probe(engine: Engine, redis: Any) -> Probe:
    """Ask the database and Redis; list the workers whose heartbeat is alive."""
    database: Check = "ok" if database_answers(engine) else "down"
    try:
        if redis is not None and redis.ping():
            # A worker's key lives only while it sends heartbeats.
            names = tuple(sorted(w.name for w in Worker.all(connection=redis)))
            return Probe(database, "ok", "ok" if names else "none", names)
    except (RedisError, OSError):
        pass  # the Redis client logs the outage
    return Probe(database, "down", "unknown")


@dataclass(frozen=True)
class Publishing:
    """The last build (any outcome), the last successful one and the publishes owed."""

    last_build: BuildRecord | None
    last_publish: BuildRecord | None
    owed: int


def publishing(db: Session, site: str) -> Publishing:
    """Where the site's publishing stands (None where nothing was ever built)."""
    builds = select(BuildRecord).where(col(BuildRecord.site) == site)
    newest = col(BuildRecord.id).desc()
    owed = select(func.count()).select_from(OutboxEntry).where(col(OutboxEntry.site) == site)
    return Publishing(
        last_build=db.exec(builds.order_by(newest).limit(1)).first(),
        last_publish=db.exec(
            builds.where(col(BuildRecord.status) == "succeeded").order_by(newest).limit(1)
        ).first(),
        owed=int(db.exec(owed.where(col(OutboxEntry.done_at).is_(None))).one()),
    )

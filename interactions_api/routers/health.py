"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from redis.exceptions import RedisError
from rq import Worker

from interactions_api.db import database_answers
from interactions_api.deps import RedisDep, get_engine
from interactions_api.errors import ServiceUnavailable, error_responses

router = APIRouter(prefix="/api", tags=["health"])

Check = Literal["ok", "down"]
# "none": no worker has a live heartbeat (builds and mail wait); "unknown": Redis is down.
WorkerCheck = Literal["ok", "none", "unknown"]


class HealthOut(BaseModel):
    """The process answers."""

    status: Literal["ok"] = "ok"


class ReadyOut(BaseModel):
    """Every dependency answered; `worker` is informational (no worker: work waits)."""

    status: Literal["ok"] = "ok"
    database: Check
    redis: Check
    worker: WorkerCheck


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    """The process is up (no dependency is touched). Public."""
    return HealthOut()


@router.get("/ready", response_model=ReadyOut, responses=error_responses(503))
def ready(request: Request, redis: RedisDep) -> ReadyOut:
    """The database and Redis are reachable; 503 names the ones that are not. Public."""
    checks: dict[str, str] = {
        "database": "ok" if database_answers(get_engine(request)) else "down",
        "redis": "down",
        "worker": "unknown",
    }
    try:
        if redis is not None and redis.ping():
            checks["redis"] = "ok"
            # A worker's key lives only while it sends heartbeats.
            checks["worker"] = "ok" if Worker.all(connection=redis) else "none"
    except (RedisError, OSError):
        pass  # "down"/"unknown" already; the Redis client logs the outage
    down = [name for name in ("database", "redis") if checks[name] == "down"]
    if down:
        raise ServiceUnavailable(f"Not ready: {', '.join(down)} unreachable.", checks=checks)
    return ReadyOut.model_validate(checks)

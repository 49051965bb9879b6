"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from interactions_api.deps import RedisDep, get_engine
from interactions_api.errors import ServiceUnavailable, error_responses
from interactions_api.models.admin_io import Check, WorkerCheck
from interactions_api.services import health as platform

router = APIRouter(prefix="/api", tags=["health"])


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
    probe = platform.probe(get_engine(request), redis)
    checks = {"database": probe.database, "redis": probe.redis, "worker": probe.worker}
    if probe.down:
        raise ServiceUnavailable(f"Not ready: {', '.join(probe.down)} unreachable.", checks=checks)
    return ReadyOut.model_validate(checks)

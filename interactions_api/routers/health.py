"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from interactions_api.deps import RedisDep, get_engine
from interactions_api.errors import ServiceUnavailable, error_responses

router = APIRouter(prefix="/api", tags=["health"])

Check = Literal["ok", "down"]


class HealthOut(BaseModel):
    """The process answers."""

    status: Literal["ok"] = "ok"


class ReadyOut(BaseModel):
    """Every dependency answered."""

    status: Literal["ok"] = "ok"
    database: Check
    redis: Check


@router.get("/health", response_model=HealthOut)
def health() -> HealthOut:
    """The process is up (no dependency is touched). Public."""
    return HealthOut()


@router.get("/ready", response_model=ReadyOut, responses=error_responses(503))
def ready(request: Request, redis: RedisDep) -> ReadyOut:
    """The database and Redis are reachable; 503 names the ones that are not. Public."""
    checks: dict[str, Check] = {"database": "ok", "redis": "ok"}
    try:
        with get_engine(request).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the cause is for the logs
        checks["database"] = "down"
    try:
        if redis is None or not redis.ping():
            checks["redis"] = "down"
    except Exception:
        checks["redis"] = "down"
    down = [name for name, state in checks.items() if state == "down"]
    if down:
        raise ServiceUnavailable(f"Not ready: {', '.join(down)} unreachable.", checks=checks)
    return ReadyOut(**checks)

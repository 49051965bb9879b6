"""Overload: when writes cannot get the database in time, a quick 503 with Retry-After.

The write lock is held from outside (as a long migration or a stuck writer would), the
pool and lock waits are made tiny, and a burst of likes arrives. Every one must be told
to come back (503, Retry-After) within about the configured waits, never a 500 after
30 s; once the lock is free, writes work again at once.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from interaction_helpers import THREAD
from live_server import burst, serve, signed_in

from interactions_api.models.comment import ThreadLike

WAIT_S = 0.5


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "moderation": "none",
        "likes_per_minute": 1_000_000,
        "database_pool_size": 1,
        "database_pool_timeout": WAIT_S,
        "database_lock_timeout": WAIT_S,
    }


@contextlib.contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    """Hold the database's write lock on the likes table from another connection."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            table = ThreadLike.__tablename__
            conn.execute(sa.text(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE'))
            yield
            conn.rollback()
    finally:
        engine.dispose()


def test_writes_that_cannot_get_the_database_are_told_to_retry(
    app: FastAPI, client: Any, make_user: Any, manifest: Any, database_url: str
) -> None:
    manifest(THREAD)
    people = signed_in(app, make_user, 10)
    url = f"/api/threads/{THREAD}/like"

    async def like(http: Any, i: int) -> Any:
        return await http.put(url, json={}, headers=people[i][1])

    with serve(app) as live:
        with write_lock_held(database_url):
            start = time.perf_counter()
            outcomes = burst(live, 10, like, timeout=10)
            elapsed = time.perf_counter() - start
        after = burst(live, 1, like)

    assert {(o.status, o.body["code"]) for o in outcomes} == {(503, "busy")}
    assert {o.headers.get("retry-after") for o in outcomes} == {"1"}
    # Each waits at most for a connection, then for the lock: about a second, not 30.
    assert elapsed < 10 * WAIT_S, f"the refusals took {elapsed:.1f} s"
    assert [(a.status, a.body) for a in after] == [(200, {"liked": True, "likes": 1})]

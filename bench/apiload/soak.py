"""The soak: the mixed load for a minute against 2 uvicorn workers and a real `quire
worker`, with the run's Redis stopped for 10 s in the middle, then an API worker and the
RQ worker killed. Reports 5xx answers and lost writes (a 201 whose comment is not stored,
a listed count that differs from the rows)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

from apiload import quire, wrk
from apiload.measure import Result
from apiload.servers import log_errors, pg_schema, start_worker, stop

OUTAGE = 10.0  # seconds Redis stays down


def soak(args: Any, workdir: Path) -> None:
    """Run the soak on `args.soak_db` and print what survived."""
    if args.soak_db == "pg":
        with pg_schema(args.pg) as url:
            _soak(args, workdir, url)
    else:
        _soak(args, workdir, f"sqlite:///{workdir / 'quire.db'}")


def _soak(args: Any, workdir: Path, url: str) -> None:
    conns = args.mixed_connections
    with quire.running(workdir, url, users=conns, workers=args.workers) as q:
        # The worker's builds publish the starter site and hand its manifest to the path
        # they are given: a path of their own keeps the bench's threads open for comments.
        worker_env = {**q.env, "QUIRE_MANIFEST_PATH": str(workdir / "worker-manifest.json")}
        worker_env["QUIRE_RECONCILE_INTERVAL"] = "5"
        log = workdir / "worker.log"
        q.extra.append(start_worker(worker_env, workdir, log))
        time.sleep(3)  # the worker's start (imports, first reconcile)
        names = {"list": f"soak list ({conns} conns)", "post": f"soak post ({conns} conns)"}
        run = wrk.start(
            q.target(), {"list": 0.8, "post": 0.2}, connections=conns,
            duration=args.soak, names=names,
        )  # fmt: skip
        try:
            _faults(q, args.soak, lambda: q.extra.append(start_worker(worker_env, workdir, log)))
            results, generator, wall = wrk.finish(run)
        finally:
            if run.process.returncode is None:
                run.process.kill()
        print(f"generator (wrk) CPU: {generator / wall:.2f} cores over {wall:.0f} s")
        for result in results.values():
            print(result.line())
        _settle(q)
        _verify(q, results)
        for name in ("api.log", "worker.log"):
            print(f"exceptions in {name}:", *log_errors(workdir / name) or ["none"], sep="\n")
        for process in q.extra:
            stop(process)


def _faults(q: quire.Quire, duration: float, restart_worker: Callable[[], None]) -> None:
    """Redis down from 1/3 of the run for 10 s; then an API worker and the RQ worker die."""
    began = time.monotonic()

    def at(fraction: float, what: str) -> None:
        time.sleep(max(0.0, began + duration * fraction - time.monotonic()))
        print(f"  t={time.monotonic() - began:5.1f}s  {what}")

    at(1 / 3, "redis-server stopped")
    q.redis.stop()
    time.sleep(OUTAGE)
    q.redis.start()
    print(f"  t={time.monotonic() - began:5.1f}s  redis-server started again")
    at(0.6, "an API worker killed (SIGKILL)")
    workers = api_workers(q.server.pid)
    if not workers:
        raise SystemExit("the soak found no uvicorn worker to kill")
    print(f"           killed API worker pid {workers[0].pid} of {[w.pid for w in workers]}")
    workers[0].send_signal(signal.SIGKILL)
    at(0.7, "the RQ worker killed (SIGKILL, with its work horse), and started again")
    rq = q.extra[0]
    for child in psutil.Process(rq.pid).children(recursive=True):
        child.send_signal(signal.SIGKILL)
    rq.send_signal(signal.SIGKILL)
    rq.wait(5)
    restart_worker()


def api_workers(supervisor: int) -> list[psutil.Process]:
    """uvicorn's worker processes: its first child is multiprocessing's resource tracker,
    whose death would leave every worker serving (and the soak proving nothing)."""
    found = []
    for child in psutil.Process(supervisor).children():
        try:
            if any("spawn_main" in part for part in child.cmdline()):
                found.append(child)
        except psutil.Error:
            continue
    return found


def _settle(q: quire.Quire, limit: float = 60) -> None:
    """Wait (at most `limit` s) for the worker to publish everything owed."""
    from sqlmodel import Session, col, func, select

    from interactions_api.db import make_engine
    from interactions_api.models.inbox import OutboxEntry

    engine = make_engine(q.env["QUIRE_DATABASE_URL"])
    deadline, open_rows = time.monotonic() + limit, -1
    try:
        while time.monotonic() < deadline:
            with Session(engine) as db:
                query = select(func.count()).where(col(OutboxEntry.done_at).is_(None))
                open_rows = int(db.exec(query).one())
            if open_rows == 0:
                break
            time.sleep(2)
    finally:
        engine.dispose()
    print(f"publishes still owed {limit:.0f} s after the load: {open_rows}")


def _verify(q: quire.Quire, results: dict[str, Result]) -> None:
    """Count 5xx answers and lost writes: every 201 stored, counts equal to rows."""
    from sqlmodel import Session, col, select

    from interactions_api.db import make_engine
    from interactions_api.models.comment import Comment, CommentStatus

    engine = make_engine(q.env["QUIRE_DATABASE_URL"])
    try:
        with Session(engine) as db:
            query = select(Comment.id).where(
                col(Comment.thread_id) == quire.THREAD,
                col(Comment.status) == CommentStatus.approved.value,
                col(Comment.deleted).is_(False),
            )
            stored = set(db.exec(query).all())
    finally:
        engine.dispose()
    answered = results["post"].created
    lost = sorted(set(answered) - stored)
    time.sleep(2)  # the listing cache of the other worker (1 s)
    listing = httpx.get(q.origin + q.target().list_path, timeout=30).json()["comments"]
    counts = httpx.get(f"{q.origin}/api/counts", params={"threads": quire.THREAD}).json()
    fives = sum(r.server_errors for r in results.values())
    by_status: dict[int, int] = {}
    for result in results.values():
        for status, count in result.statuses.items():
            if status >= 500:
                by_status[status] = by_status.get(status, 0) + count
    sockets = results["list"].socket_detail or 0
    # uvicorn drops the connection after an unhandled exception too, so these overlap the 5xx
    print(f"5xx answers: {fives} by status {dict(sorted(by_status.items()))} (503: busy, "
          "the database lock's bounded wait; any other 5xx is a defect)")  # fmt: skip
    print(f"wrk's socket errors (any kind, overlap the 5xx): {sockets}")
    print(f"comments answered 201: {len(answered)}; lost (not stored): {len(lost)} {lost[:10]}")
    extra = len(stored) - quire.COMMENTS - len(answered)
    print(f"stored without a recorded 201 (in flight when wrk stopped, or in the kill): {extra}")
    counted = counts["counts"].get(quire.THREAD, {}).get("comments")
    same = len(stored) == len(listing) == counted
    print(f"rows {len(stored)}, listed {len(listing)}, counted {counted}: "
          f"{'counts match rows' if same else 'COUNTS DIFFER FROM ROWS'}")  # fmt: skip

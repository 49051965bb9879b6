"""Benchmark: the interaction API under load, next to Isso 0.14; and a soak with faults.

    make bench-api        # = .venv/bin/python bench/api.py
    .venv/bin/python bench/api.py [--duration 10] [--no-isso] [--pg URL | --no-pg]
        [--connections 64] [--write-connections 16] [--mixed-connections 32] [--workers 2]
    .venv/bin/python bench/api.py --soak [60] [--soak-db sqlite|pg]

One run measures, on SQLite and on PostgreSQL (a fresh schema on `--pg`, default
QUIRE_TEST_PG or postgresql://postgres@127.0.0.1:5432/test, dropped afterwards): listing a
200-comment thread (64 connections), revalidating it (304), toggling likes and posting
comments (16 connections, one signed-in user per connection), and the mixed load (80%
listings, 20% comment posts, 32 connections). Quire runs as `quire api --workers 2`
(uvicorn, a socket per worker) with its own redis-server on a free port. Isso 0.14
(installed once into bench/.venv-isso) serves the same thread under gunicorn with 2
workers; its listing and its comment posts (through its API) are measured with the same
connection counts. Each phase prints req/s,
p50, p99 and errors, plus the CPU the server, the load generator (wrk, with load.lua) and
the rest of the machine used; then the issue's targets, met or missed.

--soak runs the mixed load for 60 s against 2 uvicorn workers and a real `quire worker`;
the run's redis-server is stopped for 10 s in the middle, then an API worker and the RQ
worker are killed (SIGKILL; the RQ worker is started again, as a supervisor would). It
reports the 5xx answers and the lost writes: every comment answered 201 must be stored,
and the thread's listed count must match its rows.

A benchmark, not a test: it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's code

from apiload import isso, quire, report, soak
from apiload.measure import Result
from apiload.servers import pg_schema
from apiload.wrk import find_wrk

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add = parser.add_argument
    add("--duration", type=float, default=10.0, help="seconds per load phase")
    add("--connections", type=int, default=64, help="listing connections")
    add("--write-connections", type=int, default=16, help="like/comment connections")
    add("--mixed-connections", type=int, default=32, help="mixed-load connections")
    add("--workers", type=int, default=2, help="uvicorn (and gunicorn) workers")
    add("--no-isso", action="store_true", help="skip Isso")
    add("--pg", default=os.environ.get("QUIRE_TEST_PG") or DEFAULT_PG, help="PostgreSQL URL")
    add("--no-pg", action="store_true", help="SQLite only")
    add("--soak", type=float, nargs="?", const=60.0, help="soak for this many seconds")
    add("--soak-db", choices=("sqlite", "pg"), default="sqlite", help="the soak's database")
    return parser.parse_args()


def bench(args: argparse.Namespace, workdir: Path) -> None:
    users = max(args.write_connections, args.mixed_connections)
    runs: dict[str, dict[str, Result]] = {}
    sqlite_url = f"sqlite:///{workdir / 'sqlite' / 'quire.db'}"
    with quire.running(workdir / "sqlite", sqlite_url, users=users, workers=args.workers) as q:
        runs["sqlite"] = quire.phases(q, args, "sqlite")
    if not args.no_pg:
        with (
            pg_schema(args.pg) as url,
            quire.running(workdir / "pg", url, users=users, workers=args.workers) as q,
        ):
            runs["pg"] = quire.phases(q, args, "pg")
    found_isso = None if args.no_isso else isso.phases(args, workdir / "isso")
    print(f"\n{report.machine()}\ntargets (issue 18):")
    print("\n".join(report.targets(runs, found_isso)))


def main() -> None:
    args = parse()
    find_wrk()
    if args.soak is not None:
        # kept afterwards: the server logs (tracebacks of any 5xx) and the database
        kept = Path(tempfile.mkdtemp(prefix="quire-soak-"))
        print(f"soak: server logs in {kept}/api.log and {kept}/worker.log (kept)")
        soak.soak(args, kept)
        return
    with tempfile.TemporaryDirectory(prefix="quire-bench-") as tmp:
        bench(args, Path(tmp))


if __name__ == "__main__":
    main()

"""Quire under load: seed a thread through the services, serve it with uvicorn, and run
the listing, revalidation, like, comment and mixed phases against it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from apiload import wrk
from apiload.measure import Result
from apiload.servers import (
    RedisServer,
    free_port,
    quire_env,
    start_uvicorn,
    stop,
    wait_http,
    wait_listening,
)

THREAD = "bench-thread"  # listed, liked, and commented on by the mixed load
WRITES = "bench-writes"  # the comment phase's thread: the listed one keeps its size
COMMENTS = 200


def body_of(i: int) -> str:
    return (
        f"Comment {i}: *some* Markdown with `code` and a [link](https://example.org/{i}).\n\n"
        + ("A second paragraph of ordinary length to make the thread realistic. " * 3)
    )


def seed(env: dict[str, str], users: int) -> list[str]:
    """Migrate, publish the threads, add `users` accounts and 200 comments; return sessions."""
    from sqlmodel import Session

    from builder.manifest import Manifest, Thread
    from interactions_api.config import Settings
    from interactions_api.db import make_engine, run_migrations
    from interactions_api.models.user import User
    from interactions_api.services import comments, sessions

    manifest = Path(env["QUIRE_MANIFEST_PATH"])
    manifest.parent.mkdir(parents=True, exist_ok=True)
    threads = {t: Thread(url=f"/posts/{t}/", title=t) for t in (THREAD, WRITES)}
    manifest.write_text(Manifest(threads=threads).to_json(), encoding="utf-8")
    os.environ.update(env)  # the same settings the server processes will read
    settings = Settings(_env_file=None)
    run_migrations(settings.database_url)
    engine = make_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as db:
        people = [
            User(email=f"bench{i}@example.org", display_name=f"Bench {i}", password_hash="!")
            for i in range(users)
        ]
        db.add_all(people)
        db.flush()
        tokens = [sessions.start_session(db, user) for user in people]
        top: list[int] = []
        for i in range(COMMENTS):
            parent = top[i % len(top)] if top and i % 4 == 3 else None
            new = comments.NewComment(body=body_of(i), parent_id=parent)
            made = comments.create(db, settings, user=people[i % users], thread_id=THREAD, new=new)
            if parent is None and made.id is not None:
                top.append(made.id)
        db.commit()
    engine.dispose()
    cookie = sessions.cookie_name(False)
    return [f"{cookie}={token}" for token in tokens]


@dataclass
class Quire:
    """A running API: where it listens, its processes, and its users' cookies."""

    origin: str
    env: dict[str, str]
    cookies: list[str]
    redis: RedisServer
    server: subprocess.Popen[bytes]
    workdir: Path
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def pids(self) -> list[int]:
        found = [self.server.pid, *(p.pid for p in self.extra if p.poll() is None)]
        if self.redis.process is not None:
            found.append(self.redis.process.pid)
        return found

    def target(self, thread: str = THREAD, **extra: Any) -> wrk.Target:
        return wrk.Target(
            origin=self.origin,
            list_path=f"/api/threads/{THREAD}/comments",
            post_path=f"/api/threads/{thread}/comments",
            like_path=f"/api/threads/{THREAD}/like",
            cookies=tuple(self.cookies),
            **extra,
        )


@contextmanager
def running(workdir: Path, database_url: str, *, users: int, workers: int) -> Iterator[Quire]:
    """Seed a database and serve it: own redis-server, uvicorn with `workers` processes."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    redis = RedisServer(workdir)
    redis.start()
    server = None
    try:
        env = quire_env(workdir, origin=origin, database_url=database_url, redis_url=redis.url)
        cookies = seed(env, users)
        server = start_uvicorn(env, port, workers, workdir)
        wait_http(f"{origin}/api/health")
        wait_listening(server.pid, port, workers)
        yield Quire(origin, env, cookies, redis, server, workdir)
    finally:
        stop(server)
        redis.stop()


def phases(quire: Quire, args: Any, label: str) -> dict[str, Result]:
    """Listing, revalidation, like toggles, comment posts and the mixed load, in that order."""
    pids = quire.pids()
    listing = httpx.get(quire.origin + quire.target().list_path, timeout=30)
    print(f"{label}: {len(listing.json()['comments'])} comments, {len(listing.content)} bytes")

    def phase(kinds: dict[str, str], mix: dict[str, float], conns: int, **kw: Any) -> list[Result]:
        names = {k: f"{label:<6} {v} ({conns} conns)" for k, v in kinds.items()}
        results = wrk.measure(
            quire.target(**kw.pop("target", {})), mix, connections=conns,
            duration=kw.pop("duration", args.duration), names=names, server_pids=pids,
        )  # fmt: skip
        for result in results.values():
            print(result.line())
        print(f"{'':<8}{next(iter(results.values())).cpu}")
        return list(results.values())

    found: dict[str, Result] = {}
    (found["list"],) = phase({"list": "list 200 comments"}, {"list": 1}, args.connections)
    etag = {"etag": listing.headers["etag"]}
    (found["check"],) = phase(
        {"check": "revalidate (304)"}, {"check": 1}, args.connections,
        target=etag, duration=args.duration / 2,
    )  # fmt: skip
    writers = args.write_connections
    (found["like"],) = phase({"like": "toggle likes"}, {"like": 1}, writers)
    posts = {"thread": WRITES}
    (found["post"],) = phase({"post": "post comments"}, {"post": 1}, writers, target=posts)
    mixed = phase(
        {"list": "mixed: list", "post": "mixed: post"}, {"list": 0.8, "post": 0.2},
        args.mixed_connections,
    )  # fmt: skip
    found["mixed list"], found["mixed post"] = mixed
    return found

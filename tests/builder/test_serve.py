"""The preview server: clean URLs, the site's 404, no traversal, live reload, rebuild on edit."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from builder_testlib import options, running
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from builder.pipeline import BuildResult, build_site
from builder.preview.serve import LIVERELOAD_PATH, LIVERELOAD_SCRIPT, Reloader, create_preview_app
from builder.preview.watch import Watcher


@pytest.fixture
def client(built_site: BuildResult) -> TestClient:
    return TestClient(create_preview_app(built_site.output_dir, Reloader()))


def test_clean_urls(client: TestClient, built_site: BuildResult) -> None:
    page = client.get("/posts/welcome/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    expected = (built_site.output_dir / "posts/welcome/index.html").read_bytes()
    assert page.content.replace(LIVERELOAD_SCRIPT.encode(), b"") == expected
    assert client.get("/").status_code == 200

    moved = client.get("/posts/welcome?x=1", follow_redirects=False)
    assert moved.status_code == 302 and moved.headers["location"] == "/posts/welcome/?x=1"

    css = client.get("/images/cover.svg")
    assert css.status_code == 200 and css.content.startswith(b"<svg")


def test_live_reload_script_only_in_html(client: TestClient) -> None:
    html = client.get("/posts/welcome/").text
    assert html.count(LIVERELOAD_SCRIPT) == 1
    assert html.index(LIVERELOAD_SCRIPT) < html.rindex("</body>")
    assert LIVERELOAD_SCRIPT not in client.get("/feed.xml").text


def test_missing_pages_get_the_sites_404(client: TestClient, built_site: BuildResult) -> None:
    missing = client.get("/posts/nope/")
    assert missing.status_code == 404
    expected = (built_site.output_dir / "404.html").read_bytes()
    assert missing.content.replace(LIVERELOAD_SCRIPT.encode(), b"") == expected


@pytest.mark.parametrize(
    "path",
    ["/../quire.toml", "/%2e%2e/quire.toml", "/posts/%2e%2e/%2e%2e/quire.toml", "/..%2fquire.toml",
     "/posts/..%5c..%5cquire.toml", "/quire-manifest.json"],
)  # fmt: skip
def test_path_traversal_and_the_manifest_are_refused(built_site: BuildResult, path: str) -> None:
    # the site folder (with quire.toml) is the output folder's parent
    assert (built_site.output_dir.parent / "quire.toml").is_file()
    app = create_preview_app(built_site.output_dir, None)
    with TestClient(app) as client:
        response = client.get(path)
    assert response.status_code == 404
    assert b"base_url" not in response.content and b'"files"' not in response.content


def test_extra_routes_share_the_port(built_site: BuildResult) -> None:
    api = Starlette(routes=[Route("/health", lambda request: PlainTextResponse("ok"))])
    app = create_preview_app(built_site.output_dir, None, extra_routes=[Mount("/api", app=api)])
    client = TestClient(app)
    assert client.get("/api/health").text == "ok"
    assert client.get("/posts/welcome/").status_code == 200


@pytest.fixture
def live_server(built_site: BuildResult) -> Iterator[tuple[str, Reloader]]:
    """The preview app on a real uvicorn server on a free loopback port."""
    reloader = Reloader(poll_seconds=0.02)
    with running(create_preview_app(built_site.output_dir, reloader)) as base:
        yield base, reloader


def test_livereload_stream_sends_reload_after_a_rebuild(
    live_server: tuple[str, Reloader],
) -> None:
    base, reloader = live_server
    assert httpx.get(f"{base}/posts/welcome", follow_redirects=True).status_code == 200
    received = ""
    with httpx.stream("GET", f"{base}{LIVERELOAD_PATH}", timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for chunk in response.iter_text():
            received += chunk
            if "retry:" in received and reloader.version == 0:
                reloader.notify()  # what the rebuild thread does after a good build
            if "event: reload" in received:
                break
    assert "event: reload\ndata: 1\n\n" in received


def test_livereload_stream_reports_a_failed_rebuild(live_server: tuple[str, Reloader]) -> None:
    base, reloader = live_server
    received = ""
    with httpx.stream("GET", f"{base}{LIVERELOAD_PATH}", timeout=10) as response:
        for chunk in response.iter_text():
            received += chunk
            if "retry:" in received and reloader.version == 0:
                reloader.fail("error: content/posts/a.md:3: `date` is not a date: 'x'")
            if "event: failed" in received:
                break
    assert (
        "event: failed\ndata: \"error: content/posts/a.md:3: `date` is not a date: 'x'\""
        in received
    )


def test_watcher_rebuilds_after_an_edit(basic_site: Path) -> None:
    first = build_site(basic_site, options())
    assert first.ok
    rebuilt = threading.Event()
    results: list[BuildResult] = []

    def rebuild() -> None:
        results.append(build_site(basic_site, options()))
        rebuilt.set()

    watcher = Watcher(basic_site, rebuild, ignored=[first.output_dir], debounce=0.05)
    watcher.start()
    try:
        time.sleep(0.2)  # let the observer settle before editing
        about = basic_site / "content/about.md"
        about.write_text(about.read_text().replace("small community", "lively community"))
        assert rebuilt.wait(timeout=15), "no rebuild after editing content/about.md"
    finally:
        watcher.stop()
    assert results[-1].ok and "about/index.html" in results[-1].changed
    assert "lively community" in (first.output_dir / "about/index.html").read_text()


def test_a_failed_first_build_shows_its_errors(tmp_path: Path) -> None:
    reloader = Reloader()
    reloader.fail("error: content/posts/a.md:3: `date` is not a date: '<soon>'")
    client = TestClient(create_preview_app(tmp_path / "nothing-built-yet", reloader))
    page = client.get("/")
    assert page.status_code == 500
    assert "error: content/posts/a.md:3: `date` is not a date: '&lt;soon&gt;'" in page.text
    assert LIVERELOAD_SCRIPT in page.text  # it reloads by itself once the site builds


def test_hidden_files_are_not_served(built_site: BuildResult) -> None:
    # a local bucket keeps the publisher's hash index and lock beside the pages
    (built_site.output_dir / ".quire-index.json").write_text('{"secret": 1}')
    (built_site.output_dir / ".well-known").mkdir()
    (built_site.output_dir / ".well-known" / "security.txt").write_text("Contact: a@b.c\n")
    app = create_preview_app(built_site.output_dir, None)
    with TestClient(app) as client:
        assert client.get("/.quire-index.json").status_code == 404
        assert client.get("/.well-known/security.txt").text == "Contact: a@b.c\n"

"""`quire serve` in Debian's headless Chromium: an edit reloads the open page; a broken
edit shows the errors over it, and fixing it reloads again."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from builder_testlib import SITES, free_port, running

from builder.preview.serve import Preview, open_preview

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.browser


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[str, Preview]]:
    site = Path(shutil.copytree(SITES / "basic", tmp_path / "basic"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    opened = open_preview(site, base_url=base)
    assert opened.first_build.ok
    try:
        with running(opened.app, port):
            yield base, opened
    finally:
        opened.watcher.stop()


@pytest.fixture
def page() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("QUIRE_REQUIRE_BROWSER") == "1":
            pytest.fail("QUIRE_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def test_edit_reloads_the_open_page_and_errors_show_over_it(
    preview: tuple[str, Preview], page: Any
) -> None:
    base, opened = preview
    site = opened.output_dir.parent.parent
    about = site / "content/about.md"
    original = about.read_text()
    page.goto(f"{base}/about/")
    assert "small community" in page.inner_text("main")
    page.wait_for_timeout(300)  # the EventSource connects

    about.write_text(original.replace("small community", "lively community"))
    page.wait_for_function("document.body.innerText.includes('lively community')", timeout=15000)

    about.write_text("---\ntitle: About\ndate: someday\n---\n")
    page.wait_for_selector("#quire-build-error", timeout=15000)
    overlay = page.inner_text("#quire-build-error")
    assert "error: content/about.md:3: `date` is not a date: 'someday'" in overlay
    assert "lively community" in page.inner_text("main")  # the last good build still shows

    about.write_text(original.replace("small community", "fixed community"))
    page.wait_for_function("document.body.innerText.includes('fixed community')", timeout=15000)
    assert page.query_selector("#quire-build-error") is None

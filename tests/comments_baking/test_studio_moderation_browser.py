"""End to end in Chromium: an editor approves a held comment in Studio's queue, the real
build job runs, and the static article page carries the comment (readers without
JavaScript see it); removing it in Studio takes it off the page again.

The inbox pipeline's real parts (tests/inbox via this folder's conftest) behind a live
server whose origin the settings allow, as Studio's own browser tests do.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from interactions_api.models.user import Role
from tests.api.conftest import ORIGIN, serve_on
from tests.comments_baking.baked_helpers import read_baked
from tests.comments_baking.test_publish_bakes import PAGE, comment_when_live
from tests.inbox.inbox_helpers import approve, submit

sys.path.insert(0, str(Path(__file__).parent.parent / "studio"))
from studio_browser import AXE, CHROMIUM, CHROMIUM_ARGS, audit, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def origin() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any], origin: str) -> dict[str, Any]:
    """The pipeline's settings, the live server's origin allowed (plain http cookie)."""
    return {**settings_overrides, "site_origins": [ORIGIN, origin], "cookie_secure": False}


@pytest.fixture
def studio_page(app: FastAPI, client: Any, origin: str) -> Iterator[Any]:
    if not CHROMIUM.exists() or not AXE.exists():
        if os.environ.get("QUIRE_REQUIRE_BROWSER") == "1":
            pytest.fail("QUIRE_REQUIRE_BROWSER=1 but Chromium or axe-core is missing")
        pytest.skip("Chromium or axe-core is missing")
    from playwright.sync_api import sync_playwright

    with serve_on(app, int(origin.rsplit(":", 1)[1])), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=origin)
        context.set_default_timeout(10_000)
        yield context
        browser.close()


def test_studio_approval_and_removal_follow_on_the_baked_page(
    app: FastAPI, author: Any, editor: Any, user_client: Any, work: Any, bucket: Path,
    studio_page: Any, origin: str, make_user: Any,
) -> None:  # fmt: skip
    approve(editor, submit(author))
    work()
    reader = user_client(Role.reader, display_name="Ada Reader")
    made = comment_when_live(reader, "Held first, then *baked* for everyone")
    assert made["status"] == "pending"
    assert f'data-quire-comment="{made["id"]}"' not in (bucket / PAGE).read_text("utf-8")

    sign_in(studio_page, app, make_user(Role.editor), origin)
    page = studio_page.new_page()
    page.goto("/studio/comments")
    page.get_by_label(f"Select comment {made['id']} by Ada Reader").check()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/studio/comments?status=pending")
    assert "No comment is waiting." in page.content()
    audit(page, "empty queue")
    work()
    baked = read_baked((bucket / PAGE).read_text("utf-8"))
    assert "Held first, then" in " ".join(baked.items[made["id"]].text)

    page.goto(f"/studio/comments/authors/{reader.user.id}")
    audit(page, "commenter history")
    page.get_by_label(f"Select comment {made['id']}").check()
    page.get_by_role("button", name="Remove").click()
    page.wait_for_url(f"**/studio/comments/authors/{reader.user.id}")
    assert "Removed: 1 comment" in page.locator(".s-flash").inner_text()
    work()
    assert made["id"] not in read_baked((bucket / PAGE).read_text("utf-8")).items

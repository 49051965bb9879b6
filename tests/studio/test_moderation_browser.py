"""Studio's moderation in Chromium: an editor approves a held comment and bans its
author; every screen passes axe-core at 1280 and 375 px, light and dark."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from interaction_helpers import THREAD, listing, member, posted
from rq import Queue
from rq.serializers import JSONSerializer
from studio_browser import audit

from interactions_api.models.user import Role
from interactions_api.services.outbox import BUILD_QUEUE

pytestmark = pytest.mark.browser


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    return {**settings_overrides, "moderation": "first"}


def test_approve_a_held_comment_then_ban_its_author(
    app: FastAPI, client: Any, open_studio: Callable[..., Any], make_user: Any,
    manifest: Any, redis: Any,
) -> None:  # fmt: skip
    manifest(THREAD)
    reader = member(app, make_user, display_name="Hal Held")
    held = posted(reader, "A first comment, held for review")
    assert held["status"] == "pending" and listing(client)["comments"] == []
    other = posted(member(app, make_user, display_name="Oz Other"), "Another held one")
    page = open_studio("/studio/comments", user=make_user(Role.editor))
    audit(page, "comment queue")
    page.get_by_label("Select all").check()  # the small script's shortcut
    assert page.get_by_label(f"Select comment {other['id']} by Oz Other").is_checked()
    page.get_by_label(f"Select comment {other['id']} by Oz Other").uncheck()
    assert page.get_by_label("Select all").evaluate("box => box.indeterminate")
    assert page.get_by_label(f"Select comment {held['id']} by Hal Held").is_checked()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/studio/comments?status=pending")
    assert "Approved: 1 comment" in page.locator(".s-flash").inner_text()
    assert [c["id"] for c in listing(client)["comments"]] == [held["id"]]
    # the baked article page follows through the coalesced re-publish
    assert Queue(BUILD_QUEUE, connection=redis, serializer=JSONSerializer).count == 1

    page.goto(f"/studio/comments/authors/{reader.user.id}")
    audit(page, "commenter history")
    page.get_by_label("Days").fill("3")
    page.get_by_label("Reason").fill("Off-topic links")
    page.get_by_role("button", name="Ban").click()
    page.wait_for_url("**/studio/bans")
    assert "Hal Held is banned for 3 days." in page.locator(".s-flash").inner_text()
    audit(page, "bans")
    refused = reader.post(f"/api/threads/{THREAD}/comments", json={"body": "again"})
    assert refused.status_code == 403 and refused.json()["code"] == "banned"

    page.goto("/studio/words")
    page.get_by_label("Word or phrase to block").fill("casino")
    page.get_by_role("button", name="Block it").click()
    page.wait_for_url("**/studio/words")
    audit(page, "words")

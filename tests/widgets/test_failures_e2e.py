"""Every failure says what happened and keeps what the reader typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .harness import COMMENTS_PER_MINUTE, Served
from .ui import ARTICLE, comments, open_composer, sign_up

pytestmark = pytest.mark.browser


def _error(page: Any) -> Any:
    return comments(page).locator(".quire-editor [role=alert]")


def test_offline_says_so_and_keeps_text(page: Any, email: str) -> None:
    page.goto(ARTICLE)
    sign_up(page, "Olive Offline", email)
    box = open_composer(page)
    box.fill("Typed on a train")
    page.context.set_offline(True)
    comments(page).get_by_role("button", name="Post comment").click()
    expect(_error(page)).to_contain_text("offline")
    expect(box).to_have_value("Typed on a train")
    page.context.set_offline(False)
    comments(page).get_by_role("button", name="Post comment").click()
    expect(box).to_have_value("")
    expect(comments(page).locator(".quire-body", has_text="Typed on a train")).to_be_visible()


def test_rate_limited_says_when_to_retry(page: Any, served: Served, email: str) -> None:
    page.goto(ARTICLE)
    sign_up(page, "Rita Rapid", email)
    # Use up the account's comments for this minute (QUIRE_COMMENTS_PER_MINUTE) from
    # another tab of the same reader: same cookie, same account.
    for n in range(COMMENTS_PER_MINUTE):
        r = page.context.request.post(
            served.url("/api/threads/busy/comments"),
            data={"body": f"burst {n}"},
            headers={"Origin": served.origin},
        )
        assert r.status == 201, r.text()
    box = open_composer(page)
    box.fill("One more thought")
    comments(page).get_by_role("button", name="Post comment").click()
    expect(_error(page)).to_contain_text(re.compile(r"Too many requests\. Please wait \d+ seconds"))
    expect(box).to_have_value("One more thought")


def test_too_long_comment_is_refused_with_the_text_kept(page: Any, email: str) -> None:
    page.goto(ARTICLE)
    sign_up(page, "Lena Long", email)
    box = open_composer(page)
    essay = "word " * 4000  # 20 000 bytes, over QUIRE_COMMENT_MAX_BYTES (16 384)
    box.fill(essay)
    comments(page).get_by_role("button", name="Post comment").click()
    expect(_error(page)).to_have_text("Your comment is too long. Please shorten it.")
    assert box.input_value() == essay


def test_empty_comment_is_not_sent(page: Any, email: str, watch: Any) -> None:
    page.goto(ARTICLE)
    sign_up(page, "Emma Empty", email)
    box = open_composer(page)
    before = len(watch.api)
    comments(page).get_by_role("button", name="Post comment").click()
    expect(_error(page)).to_have_text("Write something first.")
    expect(box).to_be_focused()
    assert len(watch.api) == before


def test_draft_survives_a_reload(page: Any) -> None:
    page.goto(ARTICLE)
    box = open_composer(page)
    box.fill("Half a thought")
    page.reload()
    box = open_composer(page)
    expect(box).to_have_value("Half a thought")


def test_comment_without_an_account_when_the_site_allows_it(page: Any, served: Served) -> None:
    api = served.app.api
    before = api.state.settings
    # The same server, configured with QUIRE_ANONYMOUS_COMMENTS=true and no minimum time on
    # the page (a test would otherwise sleep through it).
    api.state.settings = before.model_copy(
        update={"anonymous_comments": True, "min_comment_seconds": 0}
    )
    try:
        page.goto("/posts/third/")
        box = open_composer(page)
        box.fill("No account needed")
        comments(page).get_by_role("button", name="Post comment").click()
        expect(_error(page)).to_have_text(
            "Add your name to comment without an account, or sign in."
        )
        name = comments(page).get_by_label("Your name")
        expect(name).to_be_focused()
        name.fill("Anon Annie")
        comments(page).get_by_role("button", name="Post comment").click()
        expect(box).to_have_value("")
        mine = comments(page).locator("li.quire-c", has_text="No account needed")
        expect(mine.locator(".quire-who")).to_have_text("Anon Annie")
        expect(mine.locator(".quire-badge")).to_have_text("Awaiting moderation")
        expect(mine.get_by_role("button", name="Edit")).to_have_count(0)
    finally:
        api.state.settings = before

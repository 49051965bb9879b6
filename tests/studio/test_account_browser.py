"""Studio's account pages in Chromium: each passes axe-core (1280/375 px, light/dark),
with data in its tables and errors on its forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session
from studio_browser import audit

from interactions_api.models.comment import Bookmark, Comment
from interactions_api.models.user import Role

pytestmark = pytest.mark.browser


def test_account_pages_pass_axe(
    app: Any, open_studio: Callable[..., Any], make_user: Callable[..., Any], manifest: Any
) -> None:
    manifest("a")
    user = make_user(Role.author)
    with Session(app.state.engine) as db:
        db.add(Bookmark(user_id=user.id, thread_id="a"))
        db.add(Comment(thread_id="a", author_id=user.id, body="A first comment " * 20))
        db.commit()
    page = open_studio("/studio/account", user=user)
    audit(page, "account hub")
    tabs = ("profile", "email", "password", "sessions", "tokens", "bookmarks", "comments",
            "notifications")  # fmt: skip
    for tab in tabs:
        page.goto(f"/studio/account/{tab}")
        assert page.locator('.s-tabs a[aria-current="page"]').count() == 1, tab
        audit(page, tab)
    page.goto("/studio/account/email/confirm?token=broken")
    audit(page, "email link page")


def test_forms_with_errors_and_a_new_token_pass_axe(
    open_studio: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    page = open_studio("/studio/account/profile", user=make_user(Role.reader))
    page.get_by_label("Display name").fill(" ")
    page.get_by_label("Website").fill("ftp://x")
    page.get_by_role("button", name="Save the profile").click()
    assert page.locator(".s-field-error").count() == 2
    audit(page, "profile with errors")
    page.goto("/studio/account/tokens")
    page.get_by_label("Name").fill("deploy script")
    page.get_by_label("Expires after").select_option("7")
    page.get_by_role("button", name="Create the token").click()
    assert page.locator("#new-token").inner_text().startswith("quire_")
    audit(page, "token created")
    page.get_by_role("button", name="Revoke the token deploy script").click()
    assert page.get_by_role("status").inner_text() == "The token is revoked; it no longer works."

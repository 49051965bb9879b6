"""Every mailed link lands on a Studio-styled page that says what became of it, and the
sign-in form of each links "forgot password"; the pages pass axe-core in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from sqlmodel import Session
from studio_browser import audit
from studio_http import browser_client

from interactions_api.models.comment import Comment
from interactions_api.models.user import Role
from interactions_api.services import replies


def _comment(app: FastAPI, author_id: int, notify: bool) -> Comment:
    with Session(app.state.engine, expire_on_commit=False) as db:
        row = Comment(thread_id="a", author_id=author_id, body="q", notify_replies=notify)
        db.add(row)
        db.commit()
        return row


def test_the_unsubscribe_link_says_done_then_already_used(app: FastAPI, make_user: Any) -> None:
    user = make_user(Role.reader)
    settings = app.state.settings
    link = "/api/comments/unsubscribe?token=" + quote(
        replies.unsubscribe_token(settings, _comment(app, user.id, True)), safe=""
    )
    web = browser_client(app)
    ask = web.get(link)
    assert (
        ask.status_code == 200 and "Stop reply mails?" in ask.text and 'class="s-main' in ask.text
    )
    done = web.post(link, content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert done.status_code == 200 and "Unsubscribed" in done.text
    again = web.get(link)
    assert again.status_code == 200 and "Already unsubscribed" in again.text
    assert '<form method="post"' not in again.text
    broken = web.get("/api/comments/unsubscribe?token=forged")
    assert broken.status_code == 400 and "Link not valid" in broken.text


def test_every_sign_in_form_links_forgot_password(app: FastAPI) -> None:
    web = browser_client(app)
    for path in ("/studio/signin", "/api/account/signin", "/studio/account"):
        page = web.get(path)
        assert (
            page.status_code == 200 and 'href="/api/account/forgot">Forgot password?' in page.text
        )


@pytest.mark.browser
def test_mailed_link_pages_pass_axe(
    app: FastAPI, open_studio: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    user = make_user(Role.reader)
    token = replies.unsubscribe_token(app.state.settings, _comment(app, user.id, True))
    page = open_studio("/api/account/forgot")
    audit(page, "forgot password")
    for path in (
        "/api/account/verify?token=broken",
        "/api/account/reset?token=broken",
        f"/api/comments/unsubscribe?token={quote(token, safe='')}",
    ):
        page.goto(path)
        audit(page, path)

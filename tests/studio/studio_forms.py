"""Posting Studio's forms without a browser: a TestClient signed in as a user (a real
session cookie) and a form post as a browser sends it (`csrf` and `version` are the
inbox tests' readers of a page's form)."""

from __future__ import annotations

from typing import Any

from api_client import ORIGIN
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from interactions_api.deps import session_cookie_name
from interactions_api.models.user import User
from interactions_api.services import sessions
from tests.inbox.inbox_helpers import csrf, version

__all__ = ["csrf", "post_form", "signed_in", "version"]


def signed_in(app: FastAPI, user: User) -> TestClient:
    """A browser-like client (Origin header, form posts) with `user`'s session."""
    client = TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN})
    with Session(app.state.engine, expire_on_commit=False) as db:
        token = sessions.start_session(db, user)
        db.commit()
    client.cookies.set(session_cookie_name(app.state.settings), token)
    return client


def post_form(client: TestClient, page_path: str, action: str, **fields: Any) -> Any:
    """Open `page_path`, then post `fields` to `action` with that page's token."""
    page = client.get(page_path)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf(page.text), **fields}
    return client.post(action, data=data, follow_redirects=False)

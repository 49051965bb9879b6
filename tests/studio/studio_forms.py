"""Helpers of Studio's TestClient tests: a browser signed in as a user, the CSRF token of a
page's form."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from quire_api_conftest import ORIGIN
from sqlmodel import Session

from interactions_api.models.user import User
from interactions_api.services import sessions


def browser_as(app: FastAPI, user: User | None = None) -> TestClient:
    """A browser posting plain forms (its own Origin), signed in as `user` if given."""
    client = TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN})
    if user is not None:
        with Session(app.state.engine, expire_on_commit=False) as db:
            token = sessions.start_session(db, user)
            db.commit()
        client.cookies.set(sessions.cookie_name(app.state.settings.cookie_secure), token)
    return client


def csrf(html: str) -> str:
    """The CSRF token of the page's first form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page's form has no CSRF token"
    return found.group(1)


def post_form(client: TestClient, page: str, url: str, **fields: object) -> Any:
    """GET `page`, then POST `fields` to `url` with the page's token (no redirects)."""
    token = csrf(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **fields}, follow_redirects=False)

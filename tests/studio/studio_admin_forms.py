"""Helpers of the moderation and admin TestClient tests: a browser signed in as a user (a
session made by the service, no form round trip), and posting a page's form by keywords."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session
from studio_http import ORIGIN, csrf

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


def post_form(client: TestClient, page: str, url: str, **fields: object) -> Any:
    """GET `page`, then POST `fields` to `url` with the page's token (no redirects)."""
    token = csrf(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **fields}, follow_redirects=False)

"""A new password (changed or reset) revokes the account's personal API tokens, and says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rq import Queue
from rq.serializers import JSONSerializer

from interactions_api.config import Settings
from interactions_api.main import create_app
from interactions_api.models.user import User
from interactions_api.services import tokens
from tests.api.conftest import PASSWORD, ApiClient, new_client

NEW_PASSWORD = "a brand new passphrase"


def _bearer(c: ApiClient) -> dict[str, str]:
    token = c.post("/api/me/tokens", json={"name": "backup script"}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _assert_revoked(client: ApiClient, bearer: dict[str, str]) -> None:
    response = client.get("/api/auth/me", headers=bearer)
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")


def test_a_password_change_revokes_personal_tokens(
    user_client: Callable[..., ApiClient], client: ApiClient
) -> None:
    c = user_client()
    bearer = _bearer(c)
    assert client.get("/api/auth/me", headers=bearer).status_code == 200
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = c.post("/api/auth/password", json=body)
    assert response.status_code == 200, response.text
    _assert_revoked(client, bearer)
    assert "API tokens were revoked" in response.json()["message"]
    assert c.get("/api/me/tokens").json()["tokens"] == []


def test_a_password_reset_revokes_personal_tokens(
    user_client: Callable[..., ApiClient], client: ApiClient, settings: Settings
) -> None:
    c = user_client()
    bearer = _bearer(c)
    assert c.user is not None
    link_token = tokens.issue(settings, c.user, "reset")  # what the reset mail carries
    response = client.post("/api/auth/reset", json={"token": link_token, "password": NEW_PASSWORD})
    assert response.status_code == 200, response.text
    _assert_revoked(client, bearer)
    assert "API tokens were revoked" in response.json()["message"]


def test_the_reset_mail_says_that_tokens_will_be_revoked(
    make_settings: Callable[..., Settings], redis: Any, make_user: Callable[..., User]
) -> None:
    user = make_user()
    app = create_app(make_settings(smtp_host="smtp.invalid"), redis=redis)  # mail is queued
    with new_client(app) as client:
        response = client.post("/api/auth/reset-request", json={"email": user.email})
        assert response.status_code == 202
    [job] = Queue("default", connection=redis, serializer=JSONSerializer).get_jobs()
    assert "personal API tokens" in " ".join(job.kwargs["body"].split())

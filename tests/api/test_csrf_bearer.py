"""Only a valid Bearer token may stand in for a form's CSRF token, and it then stands alone.

A browser can attach an `Authorization` header by itself (HTTP Basic credentials it
remembers for the site), so that header alone proves nothing about who made the form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from interactions_api.models.user import Role
from tests.api.conftest import ORIGIN, ApiClient

FORM = {"title": "Planted by a foreign page", "body": "Some text.", "do": "save"}
NEW = "/studio/write"


@pytest.fixture
def bare(app: FastAPI) -> Iterator[ApiClient]:
    """A client that sends no Origin header (like a plain HTML form from some browsers)."""
    with ApiClient(app, base_url=ORIGIN) as c:
        yield c


def _titles(c: ApiClient, headers: dict[str, str] | None = None) -> list[str]:
    response = c.get("/api/inbox/submissions", headers=headers or {})
    assert response.status_code == 200, response.text
    return [s["revision"]["title"] for s in response.json()]


def _author_cookie(user_client: Callable[..., ApiClient], bare: ApiClient) -> ApiClient:
    author = user_client(Role.author)
    bare.cookies.update(author.cookies)  # the victim's browser: the session cookie only
    return author


def test_a_basic_authorization_header_does_not_waive_the_csrf_token(
    user_client: Callable[..., ApiClient], bare: ApiClient
) -> None:
    author = _author_cookie(user_client, bare)
    response = bare.post(NEW, data=FORM, headers={"Authorization": "Basic eDp5"})
    # refused (an HTML route answers with a page explaining it, not JSON)
    assert response.status_code == 403 and "This form has expired" in response.text
    assert _titles(author) == []


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer", "bearer  "], ids=repr)
def test_an_invalid_bearer_token_is_401_and_never_falls_back_to_the_cookie(
    user_client: Callable[..., ApiClient], bare: ApiClient, header: str
) -> None:
    author = _author_cookie(user_client, bare)
    form = bare.post(NEW, data=FORM, headers={"Authorization": header})
    assert (form.status_code, form.json()["code"]) == (401, "invalid_token")
    read = bare.get("/api/auth/me", headers={"Authorization": header})
    assert (read.status_code, read.json()["code"]) == (401, "invalid_token")
    assert _titles(author) == []


def test_a_valid_bearer_token_replaces_the_csrf_token_and_is_the_only_credential(
    user_client: Callable[..., ApiClient], bare: ApiClient
) -> None:
    owner = user_client(Role.author)
    token = owner.post("/api/me/tokens", json={"name": "script"}).json()["token"]
    other = _author_cookie(user_client, bare)  # someone else's session cookie rides along
    bearer = {"Authorization": f"Bearer {token}"}
    # A first read records the token's use (a write on its own connection that a first
    # write would wait behind on SQLite: issue 18 item 1, another fix).
    assert bare.get("/api/auth/me", headers=bearer).status_code == 200
    response = bare.post(NEW, data=FORM, headers=bearer, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert _titles(owner) == [FORM["title"]]  # made as the token's owner...
    assert _titles(other) == []  # ...never as the cookie's
    # Handlers that read the session cookie themselves do not see it either.
    assert bare.post("/api/auth/signout", data={"x": "1"}, headers=bearer).status_code == 204
    assert other.get("/api/auth/me").status_code == 200


def test_a_database_failure_while_checking_the_token_is_a_503_not_a_500(
    app: FastAPI, bare: ApiClient
) -> None:
    with app.state.engine.begin() as conn:  # a broken schema: the token lookup fails
        conn.execute(sa.text("DROP TABLE apitoken"))
    response = bare.post(NEW, data=FORM, headers={"Authorization": "Bearer quire_x"})
    assert (response.status_code, response.json()["code"]) == (503, "unavailable")
    assert response.headers["Retry-After"] == "1"

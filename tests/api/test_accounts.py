"""Profiles, public profiles, personal API tokens and the password rules."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session, select

from interactions_api.models.user import ApiToken, User
from interactions_api.services.passwords import HASHER, needs_rehash
from tests.api.conftest import PASSWORD, ApiClient


def test_profile_edit_and_public_profile(
    user_client: Callable[..., ApiClient], client: ApiClient
) -> None:
    c = user_client()
    response = c.patch(
        "/api/me/profile",
        json={
            "display_name": "  Ada   Lovelace ",
            "bio": "Writes about engines.",
            "website": "https://ada.example/",
            "expertise": ["maths", "Engines", "engines", ""],
        },
    )
    assert response.status_code == 200
    me = response.json()
    assert me["display_name"] == "Ada Lovelace"
    assert me["expertise"] == ["maths", "Engines"]
    assert c.get("/api/me/profile").json() == me

    public = client.get(f"/api/users/{me['id']}").json()
    assert public["display_name"] == "Ada Lovelace"
    assert public["website"] == "https://ada.example/"
    assert public["bio"] == "Writes about engines."
    assert public["expertise"] == ["maths", "Engines"]
    assert "email" not in public and me["email"] not in str(public)


def test_partial_profile_update_keeps_other_fields(user_client: Callable[..., ApiClient]) -> None:
    c = user_client()
    c.patch("/api/me/profile", json={"bio": "first", "website": "http://a.example"})
    me = c.patch("/api/me/profile", json={"bio": "second"}).json()
    assert (me["bio"], me["website"]) == ("second", "http://a.example")
    me = c.patch("/api/me/profile", json={"website": ""}).json()
    assert me["website"] is None


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("website", "javascript:alert(1)", "invalid_website"),
        ("website", "data:text/html,<script>alert(1)</script>", "invalid_website"),
        ("website", "//evil.example", "invalid_website"),
        ("display_name", "\u0000\u200b\n", "invalid_display_name"),
        ("display_name", "x" * 81, "invalid_display_name"),
        ("bio", "b" * 2001, "invalid_bio"),
        ("expertise", ["t" * 41], "invalid_expertise"),
        ("expertise", [f"tag{i}" for i in range(11)], "invalid_expertise"),
    ],
)
def test_profile_input_errors(
    user_client: Callable[..., ApiClient], field: str, value: object, code: str
) -> None:
    c = user_client()
    before = c.get("/api/me/profile").json()
    response = c.patch("/api/me/profile", json={field: value})
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert c.get("/api/me/profile").json() == before


def test_display_name_markup_is_stored_as_text(
    user_client: Callable[..., ApiClient], client: ApiClient
) -> None:
    c = user_client()
    name = '<img src=x onerror="alert(1)">'
    me = c.patch("/api/me/profile", json={"display_name": name}).json()
    # JSON carries it as plain text; every renderer (widget, pages) escapes it.
    assert client.get(f"/api/users/{me['id']}").json()["display_name"] == name
    assert client.get(f"/api/users/{me['id']}").headers["content-type"] == "application/json"


def test_unknown_public_profile_is_404(client: ApiClient) -> None:
    response = client.get("/api/users/424242")
    assert (response.status_code, response.json()["code"]) == (404, "user_not_found")
    assert client.get("/api/users/0").status_code == 422


def test_api_tokens_work_as_bearer_and_stop_when_revoked(
    user_client: Callable[..., ApiClient], client: ApiClient, db: Session
) -> None:
    c = user_client()
    created = c.post("/api/me/tokens", json={"name": "backup script"})
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("quire_")

    listed = c.get("/api/me/tokens").json()["tokens"]
    assert [t["name"] for t in listed] == ["backup script"]
    assert "token" not in listed[0]
    stored = db.exec(select(ApiToken)).one()
    assert token not in stored.token_hash  # only the hash is kept

    bearer = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/auth/me", headers=bearer)
    assert me.json()["user"]["id"] == c.user.id  # type: ignore[union-attr]
    assert c.get("/api/me/tokens").json()["tokens"][0]["last_used_at"] is not None

    assert c.delete(f"/api/me/tokens/{created.json()['id']}", json={}).status_code == 204
    revoked = client.get("/api/auth/me", headers=bearer)
    assert (revoked.status_code, revoked.json()["code"]) == (401, "invalid_token")


def test_tokens_are_private_to_their_owner(user_client: Callable[..., ApiClient]) -> None:
    alice, bob = user_client(), user_client()
    token_id = alice.post("/api/me/tokens", json={"name": "a"}).json()["id"]
    assert bob.get("/api/me/tokens").json()["tokens"] == []
    response = bob.delete(f"/api/me/tokens/{token_id}", json={})
    assert (response.status_code, response.json()["code"]) == (404, "token_not_found")
    assert len(alice.get("/api/me/tokens").json()["tokens"]) == 1


def test_a_garbage_bearer_token_is_refused(client: ApiClient) -> None:
    response = client.get("/api/auth/me", headers={"Authorization": "Bearer nope"})
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("elevenchars", "password_too_short"),
        ("x" * 1025, "password_too_long"),
        ("password1234", "password_too_common"),
        ("Password123!", "password_too_common"),
        ("qwertyuiop12", "password_too_common"),
        ("aaaaaaaaaaaaaaaa", "password_too_common"),
        ("ababababababab", "password_too_common"),
        ("carol.example2026", "password_too_common"),  # the email's local part
    ],
)
def test_password_rules(client: ApiClient, password: str, code: str) -> None:
    body = {"email": "carol.example@example.org", "display_name": "Carol", "password": password}
    response = client.post("/api/auth/signup", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert str(len(password)) not in response.json()["message"] or code == "password_too_short"


def test_long_passwords_are_used_whole(client: ApiClient) -> None:
    password = "p" * 1000 + "-tail-matters-" + "q" * 10  # 1024 characters
    assert len(password) == 1024
    body = {"email": "long@example.org", "display_name": "Long", "password": password}
    assert client.post("/api/auth/signup", json=body).status_code == 202
    wrong_tail = password[:-1] + "z"
    signin = {"email": "long@example.org"}
    assert (
        client.post("/api/auth/signin", json={**signin, "password": wrong_tail}).status_code == 401
    )
    assert client.post("/api/auth/signin", json={**signin, "password": password}).status_code == 200


def test_hashes_are_argon2id_with_owasp_parameters(make_user: Callable[..., User]) -> None:
    user = make_user()
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not needs_rehash(user.password_hash)


def test_old_hashes_are_upgraded_at_sign_in(
    client: ApiClient, make_user: Callable[..., User], db: Session
) -> None:
    from argon2 import PasswordHasher, Type

    user = make_user()
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID)
    row = db.get(User, user.id)
    assert row is not None
    row.password_hash = weak.hash(PASSWORD)
    db.add(row)
    db.commit()
    assert needs_rehash(row.password_hash)
    assert (
        client.post(
            "/api/auth/signin", json={"email": user.email, "password": PASSWORD}
        ).status_code
        == 200
    )
    db.expire_all()
    upgraded = db.get(User, user.id)
    assert upgraded is not None
    assert upgraded.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert HASHER.verify(upgraded.password_hash, PASSWORD)

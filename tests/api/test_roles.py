"""Role boundaries of the account routes: admin user management, tokens, profiles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlmodel import Session

from interactions_api.models.common import utcnow
from interactions_api.models.user import Role, User
from tests.api.conftest import ApiClient

BELOW_ADMIN = [Role.reader, Role.author, Role.editor]


def test_admin_routes_need_a_session(client: ApiClient, make_user: Callable[..., User]) -> None:
    target = make_user()
    assert client.get("/api/admin/users").status_code == 401
    response = client.patch(f"/api/admin/users/{target.id}", json={"role": "admin"})
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


@pytest.mark.parametrize("role", BELOW_ADMIN, ids=lambda r: r.name)
def test_admin_routes_refuse_every_role_below_admin(
    role: Role, user_client: Callable[..., ApiClient], make_user: Callable[..., User]
) -> None:
    c = user_client(role)
    target = make_user()
    listing = c.get("/api/admin/users")
    assert (listing.status_code, listing.json()["code"]) == (403, "role_required")
    promote = c.patch(f"/api/admin/users/{target.id}", json={"role": "admin"})
    assert (promote.status_code, promote.json()["code"]) == (403, "role_required")
    own = c.patch(f"/api/admin/users/{c.user.id}", json={"role": "admin"})  # type: ignore[union-attr]
    assert own.status_code == 403
    assert c.get("/api/auth/me").json()["user"]["role"] == role.name


def test_admin_lists_and_changes_roles(
    user_client: Callable[..., ApiClient], make_user: Callable[..., User], app: object
) -> None:
    admin = user_client(Role.admin)
    target = make_user(email="future.editor@example.org")
    listing = admin.get("/api/admin/users", params={"q": "future"}).json()
    assert listing["total"] == 1
    assert listing["users"][0]["email"] == "future.editor@example.org"
    assert listing["users"][0]["role"] == "reader"

    response = admin.patch(f"/api/admin/users/{target.id}", json={"role": "editor"})
    assert response.status_code == 200
    assert response.json()["role"] == "editor"
    assert (
        admin.get("/api/admin/users", params={"q": "future"}).json()["users"][0]["role"] == "editor"
    )


def test_role_change_takes_effect_for_the_user(
    user_client: Callable[..., ApiClient],
) -> None:
    admin = user_client(Role.admin)
    reader = user_client(Role.reader)
    assert reader.get("/api/admin/users").status_code == 403
    admin.patch(f"/api/admin/users/{reader.user.id}", json={"role": "admin"})  # type: ignore[union-attr]
    assert reader.get("/api/admin/users").status_code == 200


def test_unknown_role_and_user_are_clear_errors(user_client: Callable[..., ApiClient]) -> None:
    admin = user_client(Role.admin)
    bad_role = admin.patch(f"/api/admin/users/{admin.user.id}", json={"role": "god"})  # type: ignore[union-attr]
    assert (bad_role.status_code, bad_role.json()["code"]) == (422, "invalid")
    assert bad_role.json()["fields"][0]["field"] == "role"
    missing = admin.patch("/api/admin/users/999999", json={"role": "editor"})
    assert (missing.status_code, missing.json()["code"]) == (404, "user_not_found")


def test_the_last_admin_cannot_be_demoted(user_client: Callable[..., ApiClient]) -> None:
    admin = user_client(Role.admin)
    response = admin.patch(f"/api/admin/users/{admin.user.id}", json={"role": "reader"})  # type: ignore[union-attr]
    assert (response.status_code, response.json()["code"]) == (409, "last_admin")
    second = user_client(Role.admin)
    demote = second.patch(f"/api/admin/users/{admin.user.id}", json={"role": "reader"})  # type: ignore[union-attr]
    assert demote.status_code == 200
    assert admin.get("/api/admin/users").status_code == 403


def test_a_suspended_admin_is_refused(user_client: Callable[..., ApiClient], db: Session) -> None:
    admin = user_client(Role.admin)
    user = db.get(User, admin.user.id)  # type: ignore[union-attr]
    assert user is not None
    user.banned_until = utcnow() + timedelta(days=1)
    db.add(user)
    db.commit()
    response = admin.get("/api/admin/users")
    assert (response.status_code, response.json()["code"]) == (403, "banned")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/me/tokens"),
        ("POST", "/api/me/tokens"),
        ("DELETE", "/api/me/tokens/1"),
        ("GET", "/api/me/profile"),
        ("PATCH", "/api/me/profile"),
        ("POST", "/api/auth/password"),
    ],
)
def test_personal_routes_need_a_signed_in_user(client: ApiClient, method: str, path: str) -> None:
    body = {"name": "x"} if path.endswith("tokens") else {}
    if path.endswith("password"):
        body = {"current_password": "x" * 12, "new_password": "y" * 12}
    response = client.request(method, path, json=body)
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


@pytest.mark.parametrize(
    "role", [Role.reader, Role.author, Role.editor, Role.admin], ids=lambda r: r.name
)
def test_every_role_manages_its_own_tokens_and_profile(
    role: Role, user_client: Callable[..., ApiClient]
) -> None:
    c = user_client(role)
    assert c.post("/api/me/tokens", json={"name": "script"}).status_code == 201
    assert c.patch("/api/me/profile", json={"bio": "hi"}).status_code == 200

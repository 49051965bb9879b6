"""Sign-up, sign-in, sign-out, sessions and their cookies."""

from __future__ import annotations

import time
from collections.abc import Callable
from http.cookies import SimpleCookie

import pytest
from fastapi import FastAPI

from interactions_api.models.user import Role, User
from tests.api.conftest import PASSWORD, ApiClient, new_client

COOKIE = "__Host-quire_session"


def signin(client: ApiClient, email: str, password: str = PASSWORD) -> object:
    return client.post("/api/auth/signin", json={"email": email, "password": password})


def set_cookie(response: object) -> SimpleCookie:
    jar: SimpleCookie = SimpleCookie()
    jar.load(response.headers["set-cookie"])  # type: ignore[attr-defined]
    return jar


def test_signup_then_sign_in_at_once_unverified(client: ApiClient) -> None:
    body = {"email": "New.Reader@Example.org", "display_name": "New Reader", "password": PASSWORD}
    response = client.post("/api/auth/signup", json=body)
    assert response.status_code == 202
    assert response.json() == {"status": "check_email"}

    response = signin(client, "new.reader@example.org")
    assert response.status_code == 200
    me = client.get("/api/auth/me").json()["user"]
    assert me["email"] == "new.reader@example.org"
    assert me["display_name"] == "New Reader"
    assert me["role"] == "reader"
    assert me["email_verified"] is False


def test_signup_for_a_taken_email_answers_the_same_and_changes_nothing(
    client: ApiClient, make_user: Callable[..., User]
) -> None:
    owner = make_user(email="taken@example.org")
    fresh = client.post(
        "/api/auth/signup",
        json={"email": "free@example.org", "display_name": "X", "password": PASSWORD},
    )
    taken = client.post(
        "/api/auth/signup",
        json={
            "email": "TAKEN@example.org",
            "display_name": "Intruder",
            "password": "another good passphrase",
        },
    )
    assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json())
    # The existing account keeps its password and name.
    assert signin(client, "taken@example.org", "another good passphrase").status_code == 401
    assert signin(client, "taken@example.org").status_code == 200
    assert client.get("/api/auth/me").json()["user"]["display_name"] == owner.display_name


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"email": "not-an-email", "display_name": "A", "password": PASSWORD}, "invalid_email"),
        (
            {"email": "a@example.org", "display_name": "  ", "password": PASSWORD},
            "invalid_display_name",
        ),
        (
            {"email": "a@example.org", "display_name": "A", "password": "short"},
            "password_too_short",
        ),
    ],
)
def test_signup_input_errors_name_the_field(client: ApiClient, body: dict, code: str) -> None:
    response = client.post("/api/auth/signup", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == code


def test_wrong_password_and_unknown_email_get_identical_answers(
    client: ApiClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    wrong = signin(client, user.email, "not the right passphrase")
    unknown = signin(client, "nobody@example.org", "not the right passphrase")
    assert wrong.status_code == unknown.status_code == 401
    assert (
        wrong.json()
        == unknown.json()
        == {
            "code": "invalid_credentials",
            "message": "The email or password is wrong.",
        }
    )
    assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers


def test_session_cookie_flags(client: ApiClient, make_user: Callable[..., User]) -> None:
    user = make_user()
    response = signin(client, user.email)
    raw = response.headers["set-cookie"]
    morsel = set_cookie(response)[COOKIE]
    assert morsel["secure"] is True
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "lax"
    assert morsel["path"] == "/"
    assert "domain" not in raw.lower()  # __Host- cookies must not name a domain
    assert len(morsel.value) >= 40


def test_development_cookie_without_secure_uses_plain_name(
    app: FastAPI,
    make_settings: Callable[..., object],
    redis: object,
    make_user: Callable[..., User],
) -> None:
    from interactions_api.main import create_app

    dev = create_app(make_settings(env="development", cookie_secure=False), redis=redis)
    user = make_user()
    with ApiClient(dev, base_url="http://testserver") as c:
        response = signin(c, user.email)
        jar = set_cookie(response)
        assert "quire_session" in jar and COOKIE not in jar
        assert not jar["quire_session"]["secure"]
        assert c.get("/api/auth/me").status_code == 200


def test_production_refuses_insecure_cookies() -> None:
    from pydantic import ValidationError

    from interactions_api.config import Settings

    with pytest.raises(ValidationError, match="QUIRE_COOKIE_SECURE cannot be false"):
        Settings(_env_file=None, env="production", secret_key="s" * 40, cookie_secure=False)  # type: ignore[call-arg]


def test_sign_in_rotates_the_session(app: FastAPI, make_user: Callable[..., User]) -> None:
    user = make_user()
    with new_client(app) as browser:
        first = set_cookie(signin(browser, user.email))[COOKIE].value
        second = set_cookie(signin(browser, user.email))[COOKIE].value
        assert first != second
        assert browser.get("/api/auth/me").status_code == 200
    # The earlier cookie (say, one planted by an attacker before sign-in) is dead.
    with new_client(app, cookies={COOKIE: first}) as stale:
        assert stale.get("/api/auth/me").status_code == 401


def test_sign_out_ends_the_session_server_side(
    app: FastAPI, make_user: Callable[..., User]
) -> None:
    user = make_user()
    with new_client(app) as browser:
        token = set_cookie(signin(browser, user.email))[COOKIE].value
        response = browser.post("/api/auth/signout", json={})
        assert response.status_code == 204
        assert set_cookie(response)[COOKIE]["max-age"] == "0"
        assert browser.get("/api/auth/me").status_code == 401
    with new_client(app, cookies={COOKIE: token}) as replay:
        assert replay.get("/api/auth/me").json()["code"] == "not_authenticated"


def test_password_change_ends_every_other_session(
    app: FastAPI, make_user: Callable[..., User]
) -> None:
    user = make_user()
    with new_client(app) as laptop, new_client(app) as phone:
        signin(laptop, user.email)
        signin(phone, user.email)
        new_password = "a brand new passphrase"
        response = laptop.post(
            "/api/auth/password",
            json={"current_password": PASSWORD, "new_password": new_password},
        )
        assert response.status_code == 200
        assert laptop.get("/api/auth/me").status_code == 200  # re-issued cookie
        assert phone.get("/api/auth/me").status_code == 401
        assert signin(phone, user.email).status_code == 401
        assert signin(phone, user.email, new_password).status_code == 200


def test_password_change_needs_the_current_password(user_client: Callable[..., ApiClient]) -> None:
    c = user_client()
    response = c.post(
        "/api/auth/password",
        json={"current_password": "wrong passphrase!!", "new_password": "a brand new passphrase"},
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert c.get("/api/auth/me").status_code == 200  # still signed in


def test_me_needs_a_session(client: ApiClient) -> None:
    response = client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_email_is_case_insensitive_and_unique(
    client: ApiClient, make_user: Callable[..., User]
) -> None:
    make_user(Role.author, email="Mixed.Case@Example.org")
    assert signin(client, "MIXED.case@example.ORG").status_code == 200
    assert client.get("/api/auth/me").json()["user"]["role"] == "author"


def _fastest(call: Callable[[], object], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def test_unknown_emails_take_as_long_as_known_ones(
    client: ApiClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    # five runs each: the failed sign-ins of one address are throttled after ten
    known = _fastest(lambda: signin(client, user.email, "wrong passphrase!!"), runs=5)
    unknown = _fastest(lambda: signin(client, "ghost@example.org", "wrong passphrase!!"), runs=5)
    # Both pay for one argon2id verification (~tens of ms); the fastest of several runs
    # filters out scheduling noise from a busy machine.
    assert known > 0.015 and unknown > 0.015
    assert 0.5 < unknown / known < 2.0, (unknown, known)


def test_sign_up_of_a_taken_email_takes_as_long_as_a_new_one(
    app: FastAPI, make_user: Callable[..., User]
) -> None:
    taken = make_user().email
    emails = iter(f"fresh{n}@example.org" for n in range(100))
    counter = iter(range(100))

    def signup(email: Callable[[], str]) -> None:
        # A different client address per call keeps the sign-up rate limit out of the way.
        with new_client(app, client=(f"198.51.100.{next(counter)}", 1)) as c:
            body = {"email": email(), "display_name": "T", "password": PASSWORD}
            assert c.post("/api/auth/signup", json=body).status_code == 202

    new = _fastest(lambda: signup(lambda: next(emails)), runs=6)
    existing = _fastest(lambda: signup(lambda: taken), runs=6)
    assert new > 0.015 and existing > 0.015
    # The new-account path also inserts and commits: allow it a little more.
    assert 0.5 < existing / new < 2.5, (existing, new)


def test_concurrent_sign_ups_of_one_address_make_one_account(app: FastAPI) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlmodel import Session, col, func, select

    def attempt(n: int) -> int:
        with new_client(app, client=(f"198.51.100.{n}", 1)) as c:
            body = {"email": "race@example.org", "display_name": f"R{n}", "password": PASSWORD}
            return c.post("/api/auth/signup", json=body).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(attempt, range(8)))
    assert codes == [202] * 8
    with Session(app.state.engine) as session:
        count = session.exec(
            select(func.count()).select_from(User).where(col(User.email) == "race@example.org")
        ).one()
    assert count == 1


def test_personal_answers_are_never_cached(
    client: ApiClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    response = signin(client, user.email)
    assert response.headers["cache-control"] == "no-store"
    for path in ("/api/auth/me", "/api/me/profile", "/api/me/tokens", f"/api/users/{user.id}"):
        assert client.get(path).headers["cache-control"] == "no-store", path

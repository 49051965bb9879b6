"""Signing in to the inbox with a plain HTML form: no JavaScript, still CSRF-protected."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interactions_api.models.user import Role

PASSWORD = "a sturdy test passphrase"
ORIGIN = "https://testserver"


def _form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]*)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def _browser(app: FastAPI) -> TestClient:
    # a browser posting a form sends its own Origin and a form content type
    return TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN})


def test_an_author_signs_in_and_out_without_javascript(app: FastAPI, make_user: Any) -> None:
    author = make_user(Role.author, email="ada@example.org", password=PASSWORD)
    browser = _browser(app)
    page = browser.get("/api/inbox/ui/")
    assert page.status_code == 401 and "<form" in page.text
    token = _form_token(page.text)
    assert token, "a signed-out visitor gets a token bound to a pre-session cookie"

    wrong = browser.post(
        "/api/inbox/ui/signin",
        data={"csrf_token": token, "email": author.email, "password": "not the password"},
    )
    assert wrong.status_code == 401
    assert "ada@example.org" in wrong.text  # the email typed is kept on the page

    signed_in = browser.post(
        "/api/inbox/ui/signin",
        data={"csrf_token": _form_token(wrong.text), "email": author.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    home = browser.get("/api/inbox/ui/")
    assert home.status_code == 200 and author.display_name in home.text

    signed_out = browser.post(
        "/api/inbox/ui/signout", data={"csrf_token": _form_token(home.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert signed_out.status_code == 303
    assert browser.get("/api/inbox/ui/").status_code == 401


def test_a_sign_in_form_without_the_browser_token_is_refused(app: FastAPI, make_user: Any) -> None:
    author = make_user(Role.author, email="bob@example.org", password=PASSWORD)
    attacker = _browser(app)  # never loaded the page: no pre-session cookie
    forged = attacker.post(
        "/api/inbox/ui/signin",
        data={"csrf_token": "guess", "email": author.email, "password": PASSWORD},
    )
    assert forged.status_code == 403 and "This form has expired" in forged.text

    victim = _browser(app)
    victim.get("/api/inbox/ui/")  # has a pre-session cookie, but the token is not sent
    missing = victim.post(
        "/api/inbox/ui/signin", data={"email": author.email, "password": PASSWORD}
    )
    assert missing.status_code == 403

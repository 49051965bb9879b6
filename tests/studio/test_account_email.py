"""Changing the email address from Studio: the link goes to the new address (aiosmtpd,
through the real mail job), its page says done / already used / expired / invalid,
the old address is told, and the errors of the form are named by field."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from studio_http import ORIGIN, PASSWORD, browser_client, field_error, post_form, sign_in

from interactions_api.models.user import Role
from interactions_api.services import tokens

EMAIL = "/studio/account/email"


@pytest.fixture
def settings_overrides(smtp_server: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    smtp = {"smtp_host": smtp_server.host, "smtp_port": smtp_server.port, "smtp_starttls": False}
    for name, value in smtp.items():  # the mail job reads its settings from the environment
        monkeypatch.setenv(f"QUIRE_{name.upper()}", str(value))
    return smtp


def _link(box: Any, to: str) -> str:
    payload = box.to(to)[-1].get_payload(decode=True)
    [link] = re.findall(r"https?://\S+", payload.decode())
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == ORIGIN
    return f"{parts.path}?{parts.query}"


def test_the_address_moves_when_the_mailed_link_is_opened(
    app: FastAPI, make_user: Any, smtp_server: Any, run_jobs: Callable[[], int]
) -> None:
    user = make_user(Role.reader, email="old@example.org")
    browser = browser_client(app)
    sign_in(browser, user.email)
    sent = post_form(browser, EMAIL, EMAIL, {"email": "New@Example.org", "password": PASSWORD})
    assert sent.status_code == 303
    assert "Check the mail at new@example.org" in browser.get(EMAIL).text
    assert "old@example.org" in browser.get(EMAIL).text, "nothing changes before the link"
    run_jobs()
    link = _link(smtp_server, "new@example.org")
    elsewhere = browser_client(app)  # the mail may be opened in another browser, signed out
    opened = elsewhere.get(link)
    assert opened.status_code == 200 and "your account now uses this address" in opened.text
    again = elsewhere.get(link)
    assert again.status_code == 200 and "already used" in again.text
    run_jobs()
    assert "changed to new@example.org" in smtp_server.to("old@example.org")[-1].as_string()
    assert sign_in(browser_client(app), "new@example.org").status_code == 303


def test_expired_and_broken_links_say_so(app: FastAPI, make_user: Any) -> None:
    user = make_user(Role.reader)
    settings = app.state.settings
    web = browser_client(app)
    broken = web.get(f"{EMAIL}/confirm?token=nonsense")
    assert broken.status_code == 400 and "cannot be used" in broken.text
    token = tokens.issue(settings, user, "email", new="moved@example.org")
    with pytest.MonkeyPatch.context() as patch:
        later = tokens.LIFETIME["email"]
        patch.setitem(tokens.LIFETIME, "email", -later)  # issued already past its lifetime
        old = tokens.issue(settings, user, "email", new="moved@example.org")
    expired = web.get(f"{EMAIL}/confirm?token={old}")
    assert expired.status_code == 410 and "has expired" in expired.text
    make_user(Role.reader, email="moved@example.org")  # someone took it meanwhile
    taken = web.get(f"{EMAIL}/confirm?token={token}")
    assert taken.status_code == 400 and "another account now uses" in taken.text
    api = web.post("/api/auth/email/confirm", json={"token": token})
    assert api.status_code == 200 and api.json() == {"state": "invalid"}


def test_email_form_errors_are_named_by_field(
    app: FastAPI, make_user: Any, smtp_server: Any, run_jobs: Callable[[], int]
) -> None:
    user = make_user(Role.reader, email="me@example.org")
    make_user(Role.reader, email="taken@example.org")
    browser = browser_client(app)
    sign_in(browser, user.email)
    cases = [
        ({"email": "new@example.org", "password": "wrong password"}, "password",
         "The current password is wrong."),
        ({"email": "me@example.org", "password": PASSWORD}, "email",
         "That is already your address."),
        ({"email": "not an address", "password": PASSWORD}, "email", None),
    ]  # fmt: skip
    for fields, name, message in cases:
        refused = post_form(browser, EMAIL, EMAIL, fields)
        assert refused.status_code in (401, 422), fields
        shown = field_error(refused.text, name)
        assert shown and (message is None or shown == message), (name, shown)
    taken = post_form(browser, EMAIL, EMAIL, {"email": "taken@example.org", "password": PASSWORD})
    assert taken.status_code == 303, "the same answer as for a free address"
    run_jobs()
    assert "already uses it" in smtp_server.to("taken@example.org")[-1].as_string()
    refused = browser.post(EMAIL, data={"csrf_token": "forged", "email": "x@example.org"})
    assert refused.status_code == 403 and "This form has expired" in refused.text

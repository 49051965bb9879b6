"""Every link Quire mails lands on a page that does what it says (issue 19, item 1).

Real parts: the mail goes through the RQ job to aiosmtpd, and the link is taken from
the received message. The forms are posted as a browser without JavaScript would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interactions_api.models.user import Role, User
from interactions_api.services import tokens
from tests.api.conftest import ORIGIN, PASSWORD, Mailbox

LINK = re.compile(r"https?://\S+")
NEW_PASSWORD = "another sturdy passphrase"


@pytest.fixture
def settings_overrides(smtp_server: Mailbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    smtp = {"smtp_host": smtp_server.host, "smtp_port": smtp_server.port, "smtp_starttls": False}
    for name, value in smtp.items():  # the worker reads its settings from the environment
        monkeypatch.setenv(f"QUIRE_{name.upper()}", str(value))
    return smtp


def browser(app: FastAPI) -> TestClient:
    """A browser posting plain forms (its own Origin, form content types)."""
    return TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN})


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page's form has no CSRF token"
    return found.group(1)


def mailed_link(box: Mailbox, to: str) -> str:
    """The one link in the last mail to `to`, as a path on the API's origin."""
    payload = box.to(to)[-1].get_payload(decode=True)
    body = payload.decode() if isinstance(payload, bytes) else str(payload)
    [link] = LINK.findall(body)
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == ORIGIN
    return f"{parts.path}?{parts.query}"


def test_the_mailed_verification_link_verifies_then_says_it_was_used(
    app: FastAPI,
    smtp_server: Mailbox,
    run_jobs: Callable[[], int],
    make_user: Callable[..., User],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    web = browser(app)
    web.post(
        "/api/auth/signup",
        json={"email": "new@example.org", "display_name": "New", "password": PASSWORD},
    )
    run_jobs()
    link = mailed_link(smtp_server, "new@example.org")
    first = web.get(link)
    assert first.status_code == 200 and "text/html" in first.headers["content-type"]
    assert "Your email address is verified" in first.text
    again = web.get(link)
    assert again.status_code == 200 and "already used" in again.text

    late = make_user(Role.reader, email="late@example.org", verified=False)
    monkeypatch.setitem(tokens.LIFETIME, "verify", timedelta(seconds=-1))
    expired = web.get(f"/api/account/verify?token={tokens.issue(settings, late, 'verify')}")
    assert expired.status_code == 410 and "expired" in expired.text
    forged = web.get("/api/account/verify?token=not.a.token")
    assert forged.status_code == 400 and "not valid" in forged.text


def test_forgot_password_from_the_sign_in_page_to_a_new_password(
    app: FastAPI,
    smtp_server: Mailbox,
    run_jobs: Callable[[], int],
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.author, email="ada@example.org")
    web = browser(app)
    signin = web.get("/api/inbox/ui/new")  # signed out: the sign-in page
    assert 'href="/api/account/forgot"' in signin.text and "Forgot password?" in signin.text
    forgot = web.get("/api/account/forgot")
    sent = web.post(
        "/api/account/forgot", data={"csrf_token": csrf(forgot.text), "email": user.email}
    )
    assert sent.status_code == 200 and "Check your mail" in sent.text
    unknown = web.post(
        "/api/account/forgot", data={"csrf_token": csrf(forgot.text), "email": "no@example.org"}
    )
    # No account enumeration: the page reads the same for an unknown address.
    assert unknown.text.replace("no@example.org", user.email) == sent.text
    run_jobs()

    link = mailed_link(smtp_server, user.email)
    form = web.get(link)
    assert form.status_code == 200 and 'type="password"' in form.text
    token = re.search(r'name="token" value="([^"]+)"', form.text)
    assert token
    fields = {"csrf_token": csrf(form.text), "token": token.group(1)}
    differ = web.post(
        "/api/account/reset", data={**fields, "password": NEW_PASSWORD, "confirm": "other"}
    )
    assert differ.status_code == 422 and "The two passwords differ" in differ.text
    weak = web.post("/api/account/reset", data={**fields, "password": "short", "confirm": "short"})
    assert weak.status_code == 422 and 'role="alert"' in weak.text

    done = web.post(
        "/api/account/reset", data={**fields, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert done.status_code == 200 and "Your new password is set" in done.text
    assert "already used" in web.get(link).text  # the link is spent

    page = web.get("/api/account/signin")
    signed_in = web.post(
        "/api/account/signin",
        data={"csrf_token": csrf(page.text), "email": user.email, "password": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert signed_in.status_code == 303


def test_forgot_password_is_rate_limited_on_the_page(app: FastAPI, settings: Any) -> None:
    web = browser(app)
    token = csrf(web.get("/api/account/forgot").text)
    answers = [
        web.post("/api/account/forgot", data={"csrf_token": token, "email": "a@example.org"})
        for _ in range(settings.resets_per_email + 1)
    ]
    assert answers[-1].status_code == 429 and "Retry-After" in answers[-1].headers
    assert "text/html" in answers[-1].headers["content-type"] and "Too many" in answers[-1].text


def test_an_expired_verification_link_offers_a_new_one(
    app: FastAPI,
    smtp_server: Mailbox,
    run_jobs: Callable[[], int],
    make_user: Callable[..., User],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    late = make_user(Role.reader, email="slow@example.org", verified=False)
    with monkeypatch.context() as m:
        m.setitem(tokens.LIFETIME, "verify", timedelta(seconds=-1))
        old = tokens.issue(settings, late, "verify")
    web = browser(app)
    expired = web.get(f"/api/account/verify?token={old}")
    fields = {"csrf_token": csrf(expired.text), "email": late.email}
    resent = web.post("/api/account/verify", data=fields)
    unknown = web.post("/api/account/verify", data={**fields, "email": "nobody@example.org"})
    assert resent.status_code == 200 and "Check your mail" in resent.text
    assert unknown.text.replace("nobody@example.org", late.email) == resent.text
    run_jobs()
    assert "Your email address is verified" in web.get(mailed_link(smtp_server, late.email)).text
    assert smtp_server.to("nobody@example.org") == []

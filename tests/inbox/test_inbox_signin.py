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
    page = browser.get("/api/inbox/ui/")  # moved to Studio, whose sign-in page answers
    assert page.url.path == "/studio/signin" and "<form" in page.text
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
    assert home.url.path == "/studio/submissions" and author.display_name in home.text

    signed_out = browser.post(
        "/api/inbox/ui/signout", data={"csrf_token": _form_token(home.text)},
        follow_redirects=False,
    )  # fmt: skip
    assert signed_out.status_code == 303
    assert browser.get("/api/inbox/ui/").url.path == "/studio/signin"


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


def _sign_in(browser: TestClient, page: str, email: str, next_path: str | None) -> Any:
    data = {"csrf_token": _form_token(page), "email": email, "password": PASSWORD}
    if next_path is not None:
        data["next"] = next_path
    return browser.post("/api/inbox/ui/signin", data=data, follow_redirects=False)


def test_old_pages_lead_to_studio_signing_in_first(app: FastAPI, make_user: Any) -> None:
    editor = make_user(Role.editor, password=PASSWORD)
    moved = {
        "/api/inbox/ui/new": "/studio/write",
        "/api/inbox/ui/1": "/studio/submissions/1",  # mails link here: author or editor
        "/api/inbox/ui/1/edit": "/studio/write/1",
        "/api/inbox/ui/queue?status=all": "/studio/review?status=all",
        "/api/inbox/ui/queue?status=nonsense": "/studio/review?status=all",
        "/api/inbox/ui/": "/studio/submissions",
    }
    for old, path in moved.items():
        browser = _browser(app)
        answer = browser.get(old, follow_redirects=False)
        assert answer.status_code == 301 and answer.headers["location"] == path, old
        page = browser.get(old)
        assert page.url.path == "/studio/signin" and "text/html" in page.headers["content-type"]
        assert f'name="next" value="{path}"' in page.text, old
        back = _sign_in(browser, page.text, editor.email, path)
        assert back.status_code == 303 and back.headers["location"] == path


def test_a_role_that_may_not_see_a_page_gets_an_html_403(app: FastAPI, make_user: Any) -> None:
    reader = make_user(Role.reader, password=PASSWORD, display_name="Rea Der")
    browser = _browser(app)
    page = browser.get("/api/inbox/ui/new")
    assert _sign_in(browser, page.text, reader.email, "/api/inbox/ui/new").status_code == 303
    refused = browser.get("/api/inbox/ui/new")
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert "Rea Der" in refused.text and "needs the author role" in refused.text


def test_signing_in_with_nowhere_to_return_lands_where_the_role_may_go(
    app: FastAPI, make_user: Any
) -> None:
    """Signing in with nowhere to return lands on Studio's home, which every role may open
    (a reader is never sent to an inbox 403)."""
    reader = make_user(Role.reader, password=PASSWORD)
    author = make_user(Role.author, password=PASSWORD)
    for user in (reader, author):
        browser = _browser(app)
        page = browser.get("/api/account/signin")
        landing = _sign_in(browser, page.text, user.email, None).headers["location"]
        assert landing == "/studio/"
        assert browser.get(landing).status_code == 200
        again = browser.get("/studio/signin", follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == landing


def test_signing_in_from_the_review_queue_works(app: FastAPI, make_user: Any) -> None:
    editor = make_user(Role.editor, password=PASSWORD)
    browser = _browser(app)
    page = browser.get("/api/inbox/ui/queue")
    signed_in = _sign_in(browser, page.text, editor.email, None)
    assert signed_in.status_code == 303
    assert browser.get("/api/inbox/ui/queue").status_code == 200


def test_next_never_leads_to_another_site(app: FastAPI, make_user: Any) -> None:
    editor = make_user(Role.editor, password=PASSWORD)
    browser = _browser(app)
    # honoured when it is a path here...
    page = browser.get("/api/account/signin?next=/api/inbox/ui/queue").text
    assert 'name="next" value="/api/inbox/ui/queue"' in page
    assert _sign_in(browser, page, editor.email, "/api/inbox/ui/queue").headers["location"] == (
        "/api/inbox/ui/queue"
    )
    # ...and refused when it would lead elsewhere.
    for evil in ("https://evil.example/", "//evil.example", "/\\evil.example", "https:evil"):
        browser = _browser(app)
        page = browser.get("/api/account/signin", params={"next": evil}).text
        assert 'name="next"' not in page
        answer = _sign_in(browser, page, editor.email, evil)
        assert answer.headers["location"] == "/studio/", evil


def test_a_refused_form_is_explained_on_a_page_with_a_retry_link(app: FastAPI) -> None:
    browser = _browser(app)
    page = browser.get("/api/account/forgot")
    refused = browser.post(
        "/api/account/forgot",
        data={"csrf_token": "stale", "email": "x@example.org"},
        headers={"Referer": f"{ORIGIN}/api/account/forgot"},
    )
    assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
    assert 'href="/api/account/forgot"' in refused.text and page.status_code == 200

"""Studio pages over TestClient, as a browser without JavaScript uses them: a client that
sends the site's Origin, the CSRF token of a page's form, sign-in through the form, and
`post_form(page_url, action, fields)` that fills a form from the page it is on."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

ORIGIN = "https://testserver"
PASSWORD = "a sturdy test passphrase"  # tests/api/conftest.py's


def browser_client(app: FastAPI) -> TestClient:
    """A client that posts forms as a browser does (its own Origin, form content type)."""
    return TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN})


def csrf(html: str) -> str:
    """The CSRF token of the page's first form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page's form has no CSRF token"
    return found.group(1)


def sign_in(browser: TestClient, email: str, next_path: str = "/studio/") -> Any:
    """Sign in through Studio's sign-in form; returns the (unfollowed) answer."""
    page = browser.get(f"/studio/signin?next={next_path}")
    assert page.status_code == 200 and f'name="next" value="{next_path}"' in page.text
    form = {"csrf_token": csrf(page.text), "email": email, "password": PASSWORD}
    return browser.post("/api/account/signin", data={**form, "next": next_path},
                        follow_redirects=False)  # fmt: skip


def post_form(browser: TestClient, page_url: str, action: str, fields: dict[str, str]) -> Any:
    """Open `page_url`, then post `fields` (with the page's token) to `action`."""
    token = csrf(browser.get(page_url).text)
    return browser.post(action, data={"csrf_token": token, **fields}, follow_redirects=False)


def field_error(html: str, name: str) -> str | None:
    """The error message shown under field `name`, if any."""
    found = re.search(rf'<span class="s-field-error" id="{name}-error">([^<]*)</span>', html)
    return found.group(1) if found else None

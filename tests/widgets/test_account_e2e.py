"""A forgotten password in a real Chromium, at 375 px in dark mode, by keyboard:
the widget's sign-in form links to the forgot-password page, and a reset link's page
sets a new password that signs in (issue 19, item 1). The mail itself is tested with
aiosmtpd in tests/api/test_account_pages.py; here the link is issued directly."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from interactions_api.services import tokens, users

from .harness import Served
from .ui import ARTICLE, comments

pytestmark = pytest.mark.browser
NEW_PASSWORD = "a brand new sturdy passphrase"


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at 375 px ({width} px wide)"


def test_forgot_password_from_the_widget_to_signed_in(
    browser: Any, served: Served, email: str
) -> None:
    served.user("Forgetful", email).close()
    ctx = browser.new_context(
        base_url=served.origin, viewport={"width": 375, "height": 740}, color_scheme="dark"
    )
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    page.goto(ARTICLE)
    comments(page).get_by_role("button", name="Sign in").click()
    forgot = comments(page).get_by_role("link", name="Forgot password?")
    forgot.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.wait_for_load_state("load")  # the computed style below needs the stylesheets
    _fits(page)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)", background  # the theme's dark background
    page.get_by_label("Email").fill(email)
    page.keyboard.press("Enter")  # a plain form, no JavaScript needed
    expect(page.get_by_text("Check your mail")).to_be_visible()

    settings = served.app.api.state.settings
    with Session(served.engine) as db:
        user = users.by_email(db, email)
        assert user is not None
        link = f"/api/account/reset?token={tokens.issue(settings, user, 'reset')}"
    page.goto(link)
    _fits(page)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Type it again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Your new password is set")).to_be_visible()

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(served.url("/"))
    me = page.evaluate("fetch('/api/auth/me').then(r => r.json())")
    assert me["user"]["email"] == email
    ctx.close()


def test_an_old_fragment_link_still_verifies(browser: Any, served: Served, email: str) -> None:
    # Mails sent before the move link to /account/verify/#token=…; the edge redirects
    # that path to /api/account/verify (tests/cloudfront), keeping the fragment.
    served.user("Old Link", email).close()
    settings = served.app.api.state.settings
    with Session(served.engine) as db:
        user = users.by_email(db, email)
        assert user is not None
        token = tokens.issue(settings, user, "verify")
    ctx = browser.new_context(base_url=served.origin)
    page = ctx.new_page()
    page.goto(f"/api/account/verify#token={token}")
    expect(page.get_by_text("Your email address is verified")).to_be_visible()
    ctx.close()

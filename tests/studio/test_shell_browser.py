"""Studio's shell in Chromium: every page of it passes axe-core at 1280 and 375 px, in
light and dark mode; a signed-out visit signs in and comes back; the nav works by keyboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from studio_browser import audit
from studio_http import PASSWORD

from interactions_api.models.user import Role

pytestmark = pytest.mark.browser


def test_shell_pages_pass_axe_for_every_role(
    open_studio: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    signin = open_studio("/studio/signin")
    audit(signin, "sign-in")
    admin = make_user(Role.admin, display_name="Ada <Admin>")
    home = open_studio("/studio/", user=admin)
    assert home.locator("h1").inner_text() == "Welcome, Ada <Admin>"
    audit(home, "admin home")
    audit(open_studio("/studio/health"), "a planned screen")


def test_a_role_lacking_page_passes_axe(
    open_studio: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    page = open_studio("/studio/users", user=make_user(Role.author))
    assert page.locator("h1").inner_text() == "Not allowed"
    audit(page, "403 page")


def test_signing_in_returns_to_the_page_asked_for(
    open_studio: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    editor = make_user(Role.editor)
    page = open_studio("/studio/review")
    assert page.url.endswith("/studio/signin?next=%2Fstudio%2Freview")
    page.get_by_label("Email").fill(editor.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/studio/review")
    assert page.locator('.s-nav a[aria-current="page"]').inner_text() == "Review"


def test_the_nav_is_reachable_by_keyboard_with_a_visible_focus(
    open_studio: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    page = open_studio("/studio/", user=make_user(Role.author))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(5):  # skip link, brand, site, sign out, Home
        page.keyboard.press("Tab")
    focused = page.evaluate(
        "[document.activeElement.textContent,"
        " getComputedStyle(document.activeElement).outlineStyle]"
    )
    assert focused == ["Write", "solid"]


def test_the_audit_itself_catches_what_it_must(studio_context: Any) -> None:
    page = studio_context.new_page()
    page.set_content('<html lang="en"><title>t</title><main><input type="text"></main></html>')
    with pytest.raises(AssertionError, match="critical label"):
        audit(page, "unlabelled input")
    page.set_content('<html lang="en"><title>t</title><main><pre>' + "x" * 200 + "</pre></main>")
    with pytest.raises(AssertionError, match="wide on a 375 px screen"):
        audit(page, "too wide")

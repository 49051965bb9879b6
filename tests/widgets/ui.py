"""Reader actions on a page, as a person would do them (by role and label, not by CSS)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from .harness import PASSWORD

ARTICLE = "/posts/hello-widgets/"


def comments(page: Any) -> Any:
    """The comment section of the article."""
    return page.locator("section#comments")


def sign_up(page: Any, name: str, email: str) -> None:
    """Create an account with the in-page form; ends signed in."""
    section = comments(page)
    section.get_by_role("button", name="Create an account").click()
    form = section.locator("form.quire-auth-form")
    form.get_by_label("Display name").fill(name)
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Create an account").click()
    expect(section.locator(".quire-bar").get_by_text(f"Signed in as {name}")).to_be_visible()


def sign_in(page: Any, email: str, *, name: str = "") -> None:
    """Sign in with the in-page form (opening it first unless it is already open)."""
    section = comments(page)
    form = section.locator("form.quire-auth-form")
    if not form.is_visible():
        section.locator(".quire-bar").get_by_role("button", name="Sign in").click()
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Sign in", exact=True).click()
    expect(form).to_have_count(0)
    if name:
        expect(section.locator(".quire-bar").get_by_text(f"Signed in as {name}")).to_be_visible()


def open_composer(page: Any) -> Any:
    """Click "Write a comment"; returns the comment textarea."""
    section = comments(page)
    section.get_by_role("button", name="Write a comment").click()
    box = section.get_by_label("Your comment")
    expect(box).to_be_focused()
    return box


def post(page: Any, text: str, shown: str = "") -> Any:
    """Post a top-level comment; returns the list item showing `shown` (default `text`)."""
    box = (
        open_composer(page)
        if not comments(page).get_by_label("Your comment").count()
        else (comments(page).get_by_label("Your comment"))
    )
    box.fill(text)
    comments(page).get_by_role("button", name="Post comment").click()
    expect(box).to_have_value("")
    return comment(page, shown or text)


def comment(page: Any, text: str) -> Any:
    """The list item of the comment whose body contains `text`."""
    return (
        comments(page)
        .locator("li.quire-c")
        .filter(has=page.locator(".quire-body", has_text=re.compile(re.escape(text))))
        .last
    )


def bar(page: Any) -> Any:
    """The line that says who is signed in, with the sign-in/out buttons."""
    return comments(page).locator(".quire-bar")


def status(page: Any) -> Any:
    """The polite live region of the comment section."""
    return comments(page).locator("[role=status][aria-live=polite]")

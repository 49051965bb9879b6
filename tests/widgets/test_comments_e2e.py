"""A reader's comment life cycle in a real browser against the real site and API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from .conftest import Watch
from .harness import Served
from .ui import ARTICLE, bar, comment, comments, open_composer, post, sign_in, sign_up, status

pytestmark = pytest.mark.browser


def test_sign_up_comment_reply_edit_delete(page: Any, email: str, watch: Watch) -> None:
    page.goto(ARTICLE)
    section = comments(page)
    expect(section.get_by_text("Sign in to comment and like.")).to_be_visible()
    sign_up(page, "Ada Reader", email)
    expect(status(page)).to_contain_text("Account created")

    first = post(page, "First! This is **bold**.", "First! This is bold.")
    expect(first.locator(".quire-body strong")).to_have_text("bold")  # the API's Markdown
    expect(first.locator(".quire-who")).to_have_text("Ada Reader")
    expect(first.locator("time")).to_have_text(re.compile("now|second"))
    expect(status(page)).to_have_text("Comment posted.")
    first = page.locator("#" + first.get_attribute("id"))  # stays found after the edit

    first.get_by_role("button", name="Reply").first.click()
    reply_box = first.get_by_label("Your reply")
    expect(reply_box).to_be_focused()
    reply_box.fill("A reply underneath.")
    first.get_by_role("button", name="Post reply").click()
    reply = first.locator(".quire-replies > li.quire-c")
    expect(reply).to_have_count(1)
    expect(reply.locator(".quire-body")).to_have_text("A reply underneath.")
    expect(first.get_by_label("Your reply")).to_have_count(0)

    # Edit: the form starts from the Markdown the reader wrote, not from the HTML.
    first.locator(":scope > article").get_by_role("button", name="Edit").click()
    edit_box = first.get_by_label("Edit your comment")
    expect(edit_box).to_have_value("First! This is **bold**.")
    edit_box.fill("First, edited.")
    first.get_by_role("button", name="Save changes").click()
    expect(first.locator(":scope > article .quire-body")).to_have_text("First, edited.")
    expect(first.locator(":scope > article .quire-edited")).to_contain_text("edited")

    # Delete the reply (no replies of its own: it disappears), after an in-page confirmation.
    reply.get_by_role("button", name="Delete").click()
    reply.get_by_role("button", name="Yes, delete").click()
    expect(first.locator(".quire-replies > li")).to_have_count(0)
    expect(status(page)).to_have_text("Comment deleted.")

    page.reload()
    expect(comment(page, "First, edited.")).to_be_visible()
    expect(comments(page).get_by_text("A reply underneath.")).to_have_count(0)
    expect(bar(page).get_by_text("Signed in as Ada Reader")).to_be_visible()
    assert watch.dialogs == []  # confirmation is in the page, never a popup


def test_sign_out_then_sign_in_again(page: Any, email: str) -> None:
    page.goto(ARTICLE)
    sign_up(page, "Grace Reader", email)
    comments(page).get_by_role("button", name="Sign out").click()
    expect(comments(page).get_by_text("Sign in to comment and like.")).to_be_visible()
    expect(status(page)).to_have_text("Signed out.")
    page.reload()
    expect(comments(page).get_by_role("button", name="Sign in")).to_be_visible()
    sign_in(page, email, name="Grace Reader")
    bar(page).get_by_role("button", name="Sign out").focus()


def test_wrong_password_is_said_plainly(page: Any, served: Served, email: str) -> None:
    served.user("Someone", email)
    page.goto(ARTICLE)
    bar(page).get_by_role("button", name="Sign in").click()
    form = comments(page).locator("form.quire-auth-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill("not the password")
    form.get_by_role("button", name="Sign in", exact=True).click()
    expect(form.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(form.get_by_label("Email")).to_have_value(email)


def test_likes_and_bookmark(page: Any, served: Served, email: str) -> None:
    other = served.user("Liker", "liker-" + email)
    posted = other.post("/api/threads/second-post/comments", json={"body": "Like me"}).json()
    page.goto("/posts/second-post/")
    sign_up(page, "Ann Liker", email)
    like = page.locator(".quire-like").get_by_role("button", name=re.compile("^Like"))
    expect(like).to_have_attribute("aria-pressed", "false")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_contain_text("1")
    mark = page.locator(".quire-like").get_by_role("button", name=re.compile("^Bookmark"))
    mark.click()
    expect(mark).to_have_attribute("aria-pressed", "true")
    c_like = comment(page, "Like me").get_by_role("button", name=re.compile("^Like"))
    c_like.click()
    expect(c_like).to_have_attribute("aria-pressed", "true")
    expect(c_like).to_contain_text("1")

    page.reload()  # the state comes back from the API, not from the page
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(mark).to_have_attribute("aria-pressed", "true")
    expect(c_like).to_have_attribute("aria-pressed", "true")
    like.click()
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like).to_contain_text("0")
    c_like.click()
    expect(c_like).to_contain_text("0")
    assert posted["id"] > 0


def test_like_while_signed_out_asks_to_sign_in(page: Any) -> None:
    page.goto(ARTICLE)
    page.locator(".quire-like").get_by_role("button", name=re.compile("^Like")).click()
    form = page.locator("form.quire-auth-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Email")).to_be_focused()


def test_pending_comment_shows_awaiting_moderation(
    browser: Any, page: Any, served: Served, email: str
) -> None:
    with served.engine.begin() as db:  # an editor's blocked word sends it to the queue
        db.execute(text("INSERT INTO blockedword (word) VALUES ('casino') ON CONFLICT DO NOTHING"))
    page.goto(ARTICLE)
    sign_up(page, "Pat Pending", email)
    mine = post(page, "Visit my casino")
    expect(mine.locator(".quire-badge")).to_have_text("Awaiting moderation")
    expect(status(page)).to_have_text("Your comment is awaiting moderation.")
    page.reload()
    expect(comment(page, "Visit my casino").locator(".quire-badge")).to_be_visible()

    stranger = browser.new_context(base_url=served.origin).new_page()
    stranger.goto(ARTICLE)
    expect(stranger.locator(".quire-bar")).to_contain_text("Sign in")
    expect(stranger.get_by_text("Visit my casino")).to_have_count(0)
    stranger.context.close()


def test_session_expiry_asks_to_sign_in_and_keeps_text(
    page: Any, served: Served, email: str
) -> None:
    page.goto(ARTICLE)
    sign_up(page, "Sam Expired", email)
    box = open_composer(page)
    box.fill("Words I do not want to lose")
    with served.engine.begin() as db:  # the session ends on the server (expiry, sign-out)
        db.execute(text("DELETE FROM authsession"))
    comments(page).get_by_role("button", name="Post comment").click()
    form = comments(page).locator("form.quire-auth-form")
    expect(form).to_be_visible()
    expect(comments(page).locator(".quire-editor [role=alert]")).to_contain_text(
        "session has expired"
    )
    expect(box).to_have_value("Words I do not want to lose")
    sign_in(page, email)
    comments(page).get_by_role("button", name="Post comment").click()
    expect(comment(page, "Words I do not want to lose")).to_be_visible()
    expect(box).to_have_value("")


def test_api_on_another_origin_works_with_credentials(
    browser: Any, served: Served, email: str, watch: Watch
) -> None:
    # The site on one origin, the API on another (CORS allow-list + credentials: include).
    ctx = browser.new_context(base_url=served.cross_origin)
    page = ctx.new_page()
    page.on("request", lambda r: watch.api.append(r.url) if "/api/" in r.url else None)
    page.goto("/posts/hello-widgets/")
    sign_up(page, "Cora Cross", email)
    post(page, "From across origins")
    page.reload()
    expect(bar(page)).to_contain_text("Signed in as Cora Cross")
    expect(comment(page, "From across origins").get_by_role("button", name="Edit")).to_be_visible()
    assert watch.api and all(u.startswith(served.origin + "/api/") for u in watch.api)
    ctx.close()


def test_edit_window_closed_is_explained(page: Any, served: Served, email: str) -> None:
    page.goto("/posts/third/")
    sign_up(page, "Wendy Window", email)
    mine = post(page, "Soon too old to change")
    with served.engine.begin() as db:  # time passes beyond QUIRE_EDIT_WINDOW_SECONDS
        db.execute(
            text(
                "UPDATE comment SET created_at = '2020-01-01 00:00:00' "
                "WHERE body = 'Soon too old to change'"
            )
        )
    mine.get_by_role("button", name="Delete").click()
    mine.get_by_role("button", name="Yes, delete").click()
    expect(comments(page).get_by_role("alert")).to_have_text(
        "The time to edit this comment is over."
    )
    expect(mine.get_by_role("button", name="Edit")).to_have_count(0)
    expect(mine.locator(".quire-body")).to_have_text("Soon too old to change")


def test_new_comments_are_announced(page: Any, served: Served, email: str) -> None:
    page.goto("/posts/third/")
    expect(bar(page)).to_contain_text("Sign in")
    served.user("Late Poster", email).post(
        "/api/threads/third/comments", json={"body": "Arrived while you read"}
    )
    # The reader comes back to the tab: only newer comments are fetched, and announced.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(comment(page, "Arrived while you read")).to_be_visible()
    expect(status(page)).to_have_text(re.compile(r"^\d+ new comments?$"))

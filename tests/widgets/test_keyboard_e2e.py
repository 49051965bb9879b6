"""Keyboard-only use, visible focus, and the baked (no-JavaScript) copy of a thread."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Watch
from .harness import PASSWORD, Served
from .ui import ARTICLE, bar, comment, comments, status

pytestmark = pytest.mark.browser


def _tab_to(page: Any, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible text is `name`."""
    for _ in range(limit):
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"never reached {name!r} with Tab")


def test_keyboard_only_sign_up_and_post(page: Any, email: str, watch: Watch) -> None:
    page.goto(ARTICLE)
    expect(comments(page).get_by_role("button", name="Create an account")).to_be_visible()
    _tab_to(page, "Create an account")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")  # focus is visible
    page.keyboard.press("Enter")
    name = comments(page).get_by_label("Display name")
    expect(name).to_be_focused()
    page.keyboard.type("Kim Keys")
    page.keyboard.press("Tab")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")  # submits the form
    expect(bar(page).get_by_text("Signed in as Kim Keys")).to_be_visible()

    _tab_to(page, "Write a comment")
    page.keyboard.press("Enter")
    expect(comments(page).get_by_label("Your comment")).to_be_focused()
    page.keyboard.type("Posted without a mouse")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Post comment"
    page.keyboard.press("Enter")
    expect(comment(page, "Posted without a mouse")).to_be_visible()
    expect(status(page)).to_have_text("Comment posted.")

    # Ctrl+Enter posts from the text box; Escape closes a reply form.
    comments(page).get_by_label("Your comment").focus()
    page.keyboard.type("Second, by shortcut")
    page.keyboard.press("Control+Enter")
    expect(comment(page, "Second, by shortcut")).to_be_visible()
    reply = comment(page, "Second, by shortcut").get_by_role("button", name="Reply")
    reply.focus()
    page.keyboard.press("Enter")
    expect(comments(page).get_by_label("Your reply")).to_be_focused()
    page.keyboard.press("Escape")
    expect(comments(page).get_by_label("Your reply")).to_have_count(0)
    expect(reply).to_be_focused()  # back where the reader was
    # Delete asks in the page; "Keep it" puts the focus back on Delete.
    second = comment(page, "Second, by shortcut")
    second.get_by_role("button", name="Delete").focus()
    page.keyboard.press("Enter")
    expect(second.get_by_role("button", name="Yes, delete")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(second.get_by_role("button", name="Delete")).to_be_focused()
    assert watch.errors == []


def test_controls_are_labelled(page: Any) -> None:
    page.goto(ARTICLE)
    comments(page).get_by_role("button", name="Create an account").click()
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('.quire-comments input, .quire-comments textarea,'
                + '.quire-comments button, .quire-like button')]
              .filter(e => !(e.labels && e.labels.length) && !e.textContent.trim()
                           && !e.getAttribute('aria-label'))
              .map(e => e.outerHTML)"""
    )
    assert unlabelled == []


def test_baked_comments_are_kept_and_refreshed_from_the_api(
    page: Any, served: Served, email: str, watch: Watch
) -> None:
    ann = served.user("Baker", email)
    old = ann.post("/api/threads/baked/comments", json={"body": "Baked once, then live"}).json()
    new = ann.post("/api/threads/baked/comments", json={"body": "Newer than the bake"}).json()
    # What the publishing pipeline bakes: the approved comments as server HTML, each with its
    # API record, and the last baked id on the section.
    html = (served.out / "posts" / "baked" / "index.html").read_text(encoding="utf-8")
    baked = (
        '<ol class="quire-list"><li class="quire-c" id="comment-{id}" data-quire-comment="{id}" '
        "data-quire-json='{js}'><article><header class=\"quire-meta\">Baker</header>"
        '<div class="quire-body">{html}</div></article></li></ol>'
    ).format(id=old["id"], js=json.dumps(old).replace("'", "&#39;"), html=old["html"])
    html = html.replace('data-quire-baked-until="0">', f'data-quire-baked-until="{old["id"]}">')
    html = re.sub(r"(<noscript>.*?</noscript>)", r"\1" + baked.replace("\\", r"\\"), html, count=1)
    target = served.out / "baked" / "index.html"
    target.parent.mkdir(exist_ok=True)
    target.write_text(html, encoding="utf-8")

    page.goto("/baked/")
    expect(comment(page, "Newer than the bake")).to_be_visible()
    listed = len(ann.get("/api/threads/baked/comments").json()["comments"])  # other tests'
    expect(comments(page).locator("li.quire-c")).to_have_count(listed)  # nothing doubled
    assert not any("since=" in u for u in watch.api), watch.api  # baked ones refreshed too
    baked_item = comment(page, "Baked once, then live")
    expect(baked_item.get_by_role("button", name="Reply")).to_be_visible()  # now live
    assert new["id"] > old["id"]

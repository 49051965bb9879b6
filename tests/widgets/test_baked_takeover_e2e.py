"""In Chromium: the widget takes the real baked markup over without doubling anything,
and an edit after a reload starts from the Markdown the author wrote (issue 4).

Lives beside helper D's browser tests to share their one Chromium (a second Playwright
session in the same test run cannot start); the baked markup is the real
`interactions_api.services.baking` output, which tests/comments_baking checks further.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import Session

from interactions_api.models.comment import Comment
from interactions_api.services.baking import baked_threads

from .conftest import Watch
from .harness import Served
from .ui import ARTICLE, comment, comments, open_composer, sign_in, sign_up

pytestmark = pytest.mark.browser

THREAD = "baked"  # a post of the widget test site


def test_widget_takes_over_baked_comments_and_edits_from_markdown(
    page: Any, served: Served, email: str, watch: Watch
) -> None:
    ann = served.user("Baker", email)
    url = f"/api/threads/{THREAD}/comments"
    old = ann.post(url, json={"body": "Baked *long* ago"}).json()
    reply = ann.post(url, json={"body": "A baked reply", "parent_id": old["id"]}).json()
    with Session(served.engine) as db:
        baked = baked_threads(db, [THREAD])[THREAD]
    new = ann.post(url, json={"body": "Newer than the bake"}).json()

    # The page as the publisher writes it: the baked list inside the section.
    html = (served.out / "posts" / THREAD / "index.html").read_text(encoding="utf-8")
    html = html.replace('data-quire-baked-until="0">', f'data-quire-baked-until="{baked.last_id}">')
    html, n = re.subn(r"(</noscript>)", lambda m: m.group(1) + baked.html, html, count=1)
    assert n == 1
    target = served.out / "baked-page" / "index.html"
    target.parent.mkdir(exist_ok=True)
    target.write_text(html, encoding="utf-8")

    page.goto("/baked-page/")
    expect(comment(page, "Newer than the bake")).to_be_visible()
    listed = len(ann.get(url).json()["comments"])  # other tests may use this thread too
    expect(comments(page).locator("li.quire-c")).to_have_count(listed)  # nothing doubled
    assert not any("since=" in u for u in watch.api), watch.api  # baked ones refreshed too
    nested = comments(page).locator(f"#comment-{old['id']} > ol.quire-replies > li")
    expect(nested).to_have_attribute("id", f"comment-{reply['id']}")
    assert new["id"] > reply["id"]

    # Signed in after a reload, the author edits from the Markdown, not the shown text.
    sign_in(page, email, name="Baker")
    baked_item = comment(page, "Baked long ago")
    baked_item.locator(":scope > article").get_by_role("button", name="Edit").click()
    expect(comments(page).get_by_label("Edit your comment")).to_have_value("Baked *long* ago")
    assert watch.errors == [] and watch.dialogs == []


def test_a_reader_asks_for_reply_mails_when_posting(page: Any, served: Served, email: str) -> None:
    page.goto(ARTICLE)
    sign_up(page, "Mia Mail", email)
    box = open_composer(page)
    ask = comments(page).get_by_label("Email me when someone replies")
    expect(ask).not_to_be_checked()
    box.fill("Tell me when someone answers")
    ask.check()
    comments(page).get_by_role("button", name="Post comment").click()
    item = comment(page, "Tell me when someone answers")
    expect(item).to_be_visible()
    with Session(served.engine) as db:
        stored = db.get(Comment, int(item.get_attribute("data-quire-comment") or 0))
        assert stored is not None and stored.notify_replies is True
    # Editing offers no such box: it is chosen once, when posting.
    item.locator(":scope > article").get_by_role("button", name="Edit").click()
    expect(comments(page).get_by_label("Edit your comment")).to_be_visible()
    expect(item.get_by_label("Email me when someone replies")).to_be_hidden()


def test_a_baked_like_count_gives_way_to_the_apis(
    page: Any, served: Served, email: str, watch: Watch
) -> None:
    # Issue 19: a comment baked with 0 likes, liked afterwards by another account; a new
    # reader must see the API's count, not the one frozen into the page.
    ann = served.user("Baker", email)
    url = f"/api/threads/{THREAD}/comments"
    liked = ann.post(url, json={"body": "Like me after the bake"}).json()
    with Session(served.engine) as db:
        baked = baked_threads(db, [THREAD])[THREAD]
    fan = served.user("Fan", "fan-" + email)
    assert fan.put(f"/api/comments/{liked['id']}/like", json={}).json()["likes"] == 1

    html = (served.out / "posts" / THREAD / "index.html").read_text(encoding="utf-8")
    html = html.replace('data-quire-baked-until="0">', f'data-quire-baked-until="{baked.last_id}">')
    html = re.sub(r"(</noscript>)", lambda m: m.group(1) + baked.html, html, count=1)
    target = served.out / "baked-likes" / "index.html"
    target.parent.mkdir(exist_ok=True)
    target.write_text(html, encoding="utf-8")

    page.goto("/baked-likes/")  # a new reader, signed out, in its own browser profile
    item = comment(page, "Like me after the bake")
    expect(item.locator(":scope > article .quire-like-btn .quire-n")).to_have_text("1")
    assert watch.errors == []

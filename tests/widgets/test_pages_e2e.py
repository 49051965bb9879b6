"""What every visitor sees: counts on list pages, the live list, locale, themes, motion."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, Watch
from .harness import Served
from .ui import ARTICLE, comment, comments

pytestmark = pytest.mark.browser


def test_home_page_counts_in_one_batch_request(
    page: Any, served: Served, email: str, watch: Watch
) -> None:
    ann = served.user("Counter", email)
    for body in ("one", "two"):
        assert ann.post("/api/threads/counted/comments", json={"body": body}).status_code == 201
    assert ann.put("/api/threads/counted/like", json={}).status_code == 200
    page.goto("/")
    item = page.locator("[data-quire-count='counted']")
    expect(item.locator(".quire-counts")).to_have_text("2 comments · 1 like")
    expect(item.locator("h2")).to_be_visible()  # the post item itself is left whole
    expect(page.locator("[data-quire-count='second-post'] .quire-counts")).to_contain_text(
        "comment"
    )
    page.wait_for_load_state("networkidle")
    api = [u for u in watch.api if "/api/" in u]
    assert len(api) == 1, api  # one batch for the whole page, no per-post requests
    assert "/api/counts?threads=" in api[0]
    assert all(t in api[0] for t in ("hello-widgets", "second-post", "counted"))
    assert watch.errors == [] and watch.failed == []


def test_anonymous_article_loads_quietly(page: Any, served: Served, watch: Watch) -> None:
    page.goto(ARTICLE)
    expect(comments(page).get_by_role("button", name="Write a comment")).to_be_visible()
    page.wait_for_load_state("networkidle")
    # No /api/auth/me round trip (and no 401 in the console) for a reader never signed in.
    assert not [u for u in watch.api if "/api/auth/me" in u], watch.api
    assert watch.errors == [] and watch.failed == []
    # The editor is loaded only when needed.
    assert not [u for u in watch.api if "editor" in u]
    scripts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [s for s in scripts if "quire-widgets-editor" in s]
    comments(page).get_by_role("button", name="Write a comment").click()
    expect(comments(page).get_by_label("Your comment")).to_be_focused()
    scripts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert [s for s in scripts if "quire-widgets-editor" in s]


def test_markdown_preview(page: Any, served: Served, email: str) -> None:
    page.goto(ARTICLE)
    comments(page).get_by_role("button", name="Write a comment").click()
    box = comments(page).get_by_label("Your comment")
    box.fill("Some *emphasis* and [a link](https://example.org)")
    preview = comments(page).get_by_role("button", name="Preview")
    preview.click()
    shown = comments(page).locator(".quire-preview")
    expect(shown.locator("em")).to_have_text("emphasis")
    expect(shown.locator("a")).to_have_attribute("href", "https://example.org")
    expect(box).to_be_hidden()
    comments(page).get_by_role("button", name="Write", exact=True).click()
    expect(box).to_have_value("Some *emphasis* and [a link](https://example.org)")


def _french_copy(served: Served) -> str:
    html = (served.out / "posts" / "hello-widgets" / "index.html").read_text(encoding="utf-8")
    html = re.sub(r'<html lang="[^"]*"', '<html lang="fr-FR"', html, count=1)
    target = served.out / "fr-copy" / "index.html"
    target.parent.mkdir(exist_ok=True)
    target.write_text(html, encoding="utf-8")
    return "/fr-copy/"


def test_strings_follow_the_page_language(page: Any, served: Served, email: str) -> None:
    ann = served.user("Francophone", email)
    ann.post("/api/threads/hello-widgets/comments", json={"body": "Salut"})
    page.goto(_french_copy(served))
    section = comments(page)
    expect(section.get_by_role("button", name="Écrire un commentaire")).to_be_visible()
    expect(section.get_by_role("button", name="Se connecter")).to_be_visible()
    salut = comment(page, "Salut")
    expect(salut.get_by_role("button", name="Répondre")).to_be_visible()
    expect(salut.locator("time").first).to_have_text(re.compile("maintenant|seconde|minute"))
    section.get_by_role("button", name="Écrire un commentaire").click()
    expect(section.get_by_label("Votre commentaire")).to_be_focused()


def _colours(page: Any) -> tuple[str, str]:
    btn = comments(page).get_by_role("button", name="Post comment")
    fg = btn.evaluate("e => getComputedStyle(e).color")
    field = comments(page).locator(".quire-input").first
    bg = field.evaluate("e => getComputedStyle(e).backgroundColor")
    return fg, bg


def test_screenshots_light_and_dark(browser: Any, served: Served, email: str) -> None:
    ann = served.user("Screenshot Sam", email)
    first = ann.post(
        "/api/threads/pictured/comments",
        json={"body": "A comment with `code`, *emphasis* and a [link](https://example.org)."},
    ).json()
    ann.post(
        "/api/threads/pictured/comments",
        json={"body": "A threaded reply.", "parent_id": first["id"]},
    )
    ARTIFACTS.mkdir(exist_ok=True)
    seen = {}
    for scheme in ("light", "dark"):
        ctx = browser.new_context(base_url=served.origin, color_scheme=scheme)
        page = ctx.new_page()
        page.goto("/posts/pictured/")
        expect(comment(page, "A threaded reply.")).to_be_visible()
        comments(page).get_by_role("button", name="Write a comment").click()
        comments(page).get_by_label("Your comment").fill("Draft in the editor")
        seen[scheme] = _colours(page)
        shot: Path = ARTIFACTS / f"widgets-article-{scheme}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        ctx.close()
    assert seen["light"] != seen["dark"], seen  # the widgets really follow the scheme


def test_reduced_motion_turns_off_the_highlight(browser: Any, served: Served, email: str) -> None:
    served.user("Mover", email).post("/api/threads/third/comments", json={"body": "Motion"})
    for motion, expected in (("no-preference", "quire-in"), ("reduce", "none")):
        ctx = browser.new_context(base_url=served.origin, reduced_motion=motion)
        page = ctx.new_page()
        page.goto("/posts/third/")
        art = comment(page, "Motion").locator(":scope > article")
        expect(art).to_be_visible()
        # The highlight a newly arrived comment gets (a reader's own, or one fetched later).
        art.evaluate("e => e.parentElement.classList.add('quire-new')")
        assert art.evaluate("e => getComputedStyle(e).animationName") == expected
        ctx.close()

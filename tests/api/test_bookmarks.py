"""Bookmarks: a signed-in reader's reading list."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from interaction_helpers import OTHER, THREAD, member


def test_bookmark_add_list_remove(app: FastAPI, client: Any, make_user: Any, manifest: Any) -> None:
    manifest(THREAD, OTHER)
    reader = member(app, make_user)
    assert reader.put(f"/api/threads/{THREAD}/bookmark", json={}).json() == {"bookmarked": True}
    assert reader.put(f"/api/threads/{THREAD}/bookmark", json={}).status_code == 200  # idempotent
    reader.put(f"/api/threads/{OTHER}/bookmark", json={})
    listed = reader.get("/api/me/bookmarks")
    assert listed.headers["cache-control"] == "private, no-store"
    items = listed.json()["bookmarks"]
    assert sorted((b["thread"], b["title"], b["url"]) for b in items) == [
        (THREAD, f"Post {THREAD}", f"/posts/{THREAD}/"),
        (OTHER, f"Post {OTHER}", f"/posts/{OTHER}/"),
    ]
    assert reader.get(f"/api/threads/{THREAD}/me").json()["bookmarked"] is True
    # Someone else's list is their own.
    assert member(app, make_user).get("/api/me/bookmarks").json() == {"bookmarks": []}
    assert reader.delete(f"/api/threads/{THREAD}/bookmark", json={}).json() == {"bookmarked": False}
    assert reader.delete(f"/api/threads/{THREAD}/bookmark", json={}).status_code == 200
    assert [b["thread"] for b in reader.get("/api/me/bookmarks").json()["bookmarks"]] == [OTHER]


def test_unpublished_article_stays_on_the_list(
    app: FastAPI, client: Any, make_user: Any, manifest: Any
) -> None:
    manifest(THREAD, OTHER)
    reader = member(app, make_user)
    reader.put(f"/api/threads/{OTHER}/bookmark", json={})
    app.state.threads.check_interval = 0  # see the manifest change on the next request
    manifest(THREAD)
    (item,) = reader.get("/api/me/bookmarks").json()["bookmarks"]
    assert item == {**item, "thread": OTHER, "published": False, "title": None, "url": None}
    # ... but cannot be bookmarked anew while unpublished.
    again = reader.put(f"/api/threads/{OTHER}/bookmark", json={})
    assert again.status_code == 404 and again.json()["code"] == "thread_not_found"


def test_bookmarks_need_an_account(client: Any, manifest: Any) -> None:
    manifest(THREAD)
    assert client.put(f"/api/threads/{THREAD}/bookmark", json={}).status_code == 401
    assert client.get("/api/me/bookmarks").status_code == 401

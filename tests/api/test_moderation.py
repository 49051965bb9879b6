"""Moderation modes, the editor queue, bans, blocked words and anonymous comments."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from interaction_helpers import THREAD, listing, member, post, posted

from interactions_api.models.user import Role


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"comments_per_minute": 1000}


@pytest.fixture
def site(app: FastAPI, client: Any, make_user: Any, manifest: Any, make_settings: Any) -> Any:
    """Sets the moderation settings of the running app: `site(moderation="links")`."""
    manifest(THREAD)

    def _set(**overrides: Any) -> None:
        app.state.settings = make_settings(**{"comments_per_minute": 1000, **overrides})

    return _set


@pytest.fixture
def editor(app: FastAPI, make_user: Any) -> Any:
    return member(app, make_user, Role.editor)


def _queue(editor: Any, status: str = "pending") -> list[int]:
    response = editor.get("/api/moderation/queue", params={"status": status})
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["comments"]]


def test_mode_none_publishes_at_once(site: Any, app: FastAPI, make_user: Any, client: Any) -> None:
    site(moderation="none")
    made = posted(member(app, make_user), "hello [link](https://x.example)")
    assert made["status"] == "approved"
    assert listing(client)["count"] == 1


def test_mode_first_holds_only_a_new_accounts_first_comment(
    site: Any, app: FastAPI, make_user: Any, client: Any, editor: Any
) -> None:
    site(moderation="first")
    reader = member(app, make_user)
    first = posted(reader, "my first comment")
    assert first["status"] == "pending"
    assert listing(client)["count"] == 0
    assert _queue(editor) == [first["id"]]
    # Pending comments are visible to their author only, through /me.
    assert [c["id"] for c in reader.get(f"/api/threads/{THREAD}/me").json()["pending"]] == [
        first["id"]
    ]
    assert client.get(f"/api/threads/{THREAD}/me").json()["pending"] == []
    assert posted(reader, "still waiting")["status"] == "pending"
    approved = editor.post(f"/api/moderation/comments/{first['id']}/approve", json={})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert posted(reader, "trusted now")["status"] == "approved"
    assert [c["html"] for c in listing(client)["comments"]] == [
        "<p>my first comment</p>",
        "<p>trusted now</p>",
    ]


def test_mode_links_holds_comments_with_links(site: Any, app: FastAPI, make_user: Any) -> None:
    site(moderation="links")
    reader = member(app, make_user)
    assert posted(reader, "no links here")["status"] == "approved"
    assert posted(reader, "[cheap](https://spam.example)")["status"] == "pending"
    assert posted(reader, "visit www.spam.example today")["status"] == "pending"
    # An edit that adds a link sends an approved comment back to the queue.
    clean = posted(reader, "clean")
    edited = reader.patch(f"/api/comments/{clean['id']}", json={"body": "http://spam.example"})
    assert edited.json()["status"] == "pending"


def test_mode_all_holds_everything_but_editors(
    site: Any, app: FastAPI, make_user: Any, editor: Any
) -> None:
    site(moderation="all")
    assert posted(member(app, make_user), "hello")["status"] == "pending"
    assert posted(editor, "editor note")["status"] == "approved"


def test_reject_and_spam_remove_from_listing(
    site: Any, app: FastAPI, make_user: Any, editor: Any, client: Any
) -> None:
    site(moderation="all")
    reader = member(app, make_user)
    one, two = posted(reader, "one")["id"], posted(reader, "buy pills")["id"]
    assert editor.post(f"/api/moderation/comments/{one}/reject", json={}).status_code == 200
    assert editor.post(f"/api/moderation/comments/{two}/spam", json={}).status_code == 200
    assert _queue(editor) == []
    assert _queue(editor, "spam") == [two]
    assert listing(client)["comments"] == []
    # An approved comment with replies that is later rejected keeps the thread's shape.
    root = posted(editor, "root")["id"]
    reply = posted(editor, "reply", parent_id=root)["id"]
    editor.post(f"/api/moderation/comments/{root}/spam", json={})
    shown = listing(client)["comments"]
    assert [(c["id"], c["deleted"], c["html"]) for c in shown] == [
        (root, True, ""),
        (reply, False, "<p>reply</p>"),
    ]
    missing = editor.post("/api/moderation/comments/9999/approve", json={})
    assert missing.status_code == 404
    assert editor.post(f"/api/moderation/comments/{one}/nonsense", json={}).status_code == 422


def test_ban_blocks_commenting_for_a_period(
    site: Any, app: FastAPI, make_user: Any, editor: Any
) -> None:
    site(moderation="none")
    reader = member(app, make_user)
    response = editor.post(
        f"/api/moderation/users/{reader.user.id}/ban", json={"days": 7, "reason": "spam"}
    )
    assert response.status_code == 200
    assert response.json()["banned_until"] is not None
    refused = post(reader, "let me in")
    assert refused.status_code == 403 and refused.json()["code"] == "banned"
    lifted = editor.post(f"/api/moderation/users/{reader.user.id}/ban", json={"days": 0})
    assert lifted.json()["banned_until"] is None
    assert post(reader, "back again").status_code == 201


def test_editor_cannot_ban_an_editor_or_admin(
    site: Any, app: FastAPI, make_user: Any, editor: Any
) -> None:
    for role in (Role.editor, Role.admin):
        other = make_user(role)
        response = editor.post(f"/api/moderation/users/{other.id}/ban", json={"days": 1})
        assert response.status_code == 403
    assert editor.post("/api/moderation/users/9999/ban", json={"days": 1}).status_code == 404
    too_long = editor.post(f"/api/moderation/users/{editor.user.id}/ban", json={"days": 99999})
    assert too_long.status_code == 422


def test_blocked_words_send_comments_to_the_queue(
    site: Any, app: FastAPI, make_user: Any, editor: Any
) -> None:
    site(moderation="none")
    response = editor.put(
        "/api/moderation/blocked-words", json={"words": ["Viagra", " cheap pills ", "viagra"]}
    )
    assert response.json() == {"words": ["cheap pills", "viagra"]}
    assert editor.get("/api/moderation/blocked-words").json() == {
        "words": ["cheap pills", "viagra"]
    }
    reader = member(app, make_user)
    held = posted(reader, "Buy VIAGRA now")
    assert held["status"] == "pending"
    assert posted(reader, "Get CHEAP   pills")["status"] == "approved"  # whitespace differs
    assert posted(reader, "Get cheap pills")["status"] == "pending"
    assert posted(reader, "viagrafalls is a place")["status"] == "approved"  # whole words only
    queued = editor.get("/api/moderation/queue").json()["comments"]
    assert queued[0]["reason"] == "blocked_word" and queued[0]["body"] == "Buy VIAGRA now"


def test_moderation_routes_need_an_editor(
    site: Any, app: FastAPI, make_user: Any, client: Any
) -> None:
    reader = member(app, make_user)
    author = member(app, make_user, Role.author)
    routes = [
        ("GET", "/api/moderation/queue", None),
        ("POST", "/api/moderation/comments/1/approve", {}),
        ("POST", f"/api/moderation/users/{reader.user.id}/ban", {"days": 1}),
        ("GET", "/api/moderation/blocked-words", None),
        ("PUT", "/api/moderation/blocked-words", {"words": []}),
    ]
    for method, url, body in routes:
        assert client.request(method, url, json=body).status_code == 401, url
        for who in (reader, author):
            response = who.request(method, url, json=body)
            assert response.status_code == 403, url
            assert response.json()["code"] == "role_required"
    editor = member(app, make_user, Role.editor)
    admin = member(app, make_user, Role.admin)
    for who in (editor, admin):
        assert who.get("/api/moderation/queue").status_code == 200


# --- anonymous comments ---------------------------------------------------------------

ANON = {"name": "Visitor", "elapsed_ms": 5000}


def test_anonymous_comments_are_pre_moderated(site: Any, client: Any, editor: Any) -> None:
    site(moderation="none", anonymous_comments=True)
    made = posted(client, "hi from nowhere", **ANON)
    assert made["status"] == "pending"
    assert made["author"] == {"id": None, "display_name": "Visitor", "website": None}
    assert listing(client)["count"] == 0
    queued = editor.get("/api/moderation/queue").json()["comments"]
    assert queued[0]["reason"] == "anonymous"
    editor.post(f"/api/moderation/comments/{made['id']}/approve", json={})
    assert listing(client)["comments"][0]["author"]["display_name"] == "Visitor"


def test_anonymous_rules(site: Any, client: Any) -> None:
    site(anonymous_comments=True, min_comment_seconds=3)
    honeypot = post(client, "hi", **ANON, hp="http://spam.example")
    assert honeypot.status_code == 422 and honeypot.json()["code"] == "honeypot"
    fast = post(client, "hi", name="Visitor", elapsed_ms=2999)
    assert fast.status_code == 422 and fast.json()["code"] == "too_fast"
    assert post(client, "hi", name="Visitor").json()["code"] == "too_fast"
    for name in ("", "   ", None):
        nameless = post(client, "hi", name=name, elapsed_ms=5000)
        assert nameless.status_code == 422 and nameless.json()["code"] == "name_required"
    assert post(client, "hi", **ANON, hp="").status_code == 201


def test_anonymous_comments_are_rate_limited_per_address(site: Any, client: Any) -> None:
    site(anonymous_comments=True, comments_per_minute=2)
    statuses = [post(client, f"hi {i}", **ANON).status_code for i in range(3)]
    assert statuses == [201, 201, 429]
    limited = post(client, "again", **ANON)
    assert int(limited.headers["retry-after"]) >= 1

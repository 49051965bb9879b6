"""Posting, listing, the reply tree, editing and deleting comments."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from interaction_helpers import OTHER, THREAD, listing, member, post, posted
from sqlmodel import Session

from interactions_api.models.comment import Comment
from interactions_api.models.user import Role


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"moderation": "none", "max_depth": 2}


@pytest.fixture
def reader(app: FastAPI, client: Any, make_user: Any, manifest: Any) -> Any:
    manifest(THREAD, OTHER)
    return member(app, make_user, display_name="Ada")


def test_posted_comment_is_listed_with_rendered_html(reader: Any, client: Any) -> None:
    made = posted(reader, "Hello *world*")
    assert made["status"] == "approved"
    assert made["html"] == "<p>Hello <em>world</em></p>"
    assert made["author"] == {"id": reader.user.id, "display_name": "Ada", "website": None}
    data = listing(client)
    assert data["thread"] == THREAD and data["count"] == 1
    assert [c["id"] for c in data["comments"]] == [made["id"]]
    assert data["comments"][0]["html"] == "<p>Hello <em>world</em></p>"
    assert "email" not in str(data)


def test_listing_is_oldest_first_and_per_thread(reader: Any, client: Any) -> None:
    ids = [posted(reader, f"comment {i}")["id"] for i in range(3)]
    posted(reader, "elsewhere", thread=OTHER)
    assert [c["id"] for c in listing(client)["comments"]] == ids
    assert listing(client, OTHER)["count"] == 1


def test_unknown_thread_is_404(reader: Any, client: Any) -> None:
    response = post(reader, "hi", thread="not-published")
    assert response.status_code == 404
    assert response.json()["code"] == "thread_not_found"
    assert client.get("/api/threads/not-published/comments").json()["code"] == "thread_not_found"
    assert reader.put("/api/threads/not-published/like", json={}).status_code == 404


def test_newly_published_thread_accepts_comments_within_seconds(reader: Any, manifest: Any) -> None:
    assert post(reader, "too early", thread="fresh").status_code == 404
    manifest(THREAD, OTHER, "fresh")  # the builder publishes a new article
    deadline = time.monotonic() + 3
    while (response := post(reader, "first!", thread="fresh")).status_code == 404:
        assert time.monotonic() < deadline, "new thread not accepted within 3 s"
        time.sleep(0.1)
    assert response.status_code == 201


def test_replies_form_a_tree_and_depth_is_capped(reader: Any, client: Any) -> None:
    root = posted(reader, "root")
    r1 = posted(reader, "depth 1", parent_id=root["id"])
    r2 = posted(reader, "depth 2", parent_id=r1["id"])
    r3 = posted(reader, "would be depth 3", parent_id=r2["id"])  # max_depth is 2
    assert (root["depth"], r1["depth"], r2["depth"]) == (0, 1, 2)
    assert r1["parent_id"] == root["id"] and r2["parent_id"] == r1["id"]
    # Past the cap a reply sits beside the comment it answers.
    assert r3["depth"] == 2 and r3["parent_id"] == r1["id"]
    shown = {c["id"]: (c["parent_id"], c["depth"]) for c in listing(client)["comments"]}
    assert shown[r3["id"]] == (r1["id"], 2)


def test_reply_to_other_thread_or_missing_parent_is_refused(reader: Any) -> None:
    elsewhere = posted(reader, "elsewhere", thread=OTHER)
    for parent in (elsewhere["id"], 9999):
        response = post(reader, "reply", parent_id=parent)
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_parent"


def test_size_cap_and_empty_body(reader: Any, settings: Any) -> None:
    big = "x" * (settings.comment_max_bytes + 1)
    response = post(reader, big)
    assert response.status_code == 413
    assert response.json()["code"] == "too_long"
    assert str(settings.comment_max_bytes) in response.json()["message"]
    assert post(reader, "é" * (settings.comment_max_bytes // 2)).status_code == 201
    assert post(reader, "  \n ").json()["code"] == "empty"


def test_unknown_fields_are_refused(reader: Any) -> None:
    response = post(reader, "hi", status="approved")
    assert response.status_code == 422


def test_anonymous_cannot_post_when_anonymous_comments_are_off(reader: Any, client: Any) -> None:
    response = post(client, "hi", name="Bob", elapsed_ms=10_000)
    assert response.status_code == 401
    assert listing(client)["count"] == 0


def test_author_edits_within_window(reader: Any, client: Any) -> None:
    made = posted(reader, "frist")
    response = reader.patch(f"/api/comments/{made['id']}", json={"body": "first"})
    assert response.status_code == 200, response.text
    assert response.json()["html"] == "<p>first</p>"
    shown = listing(client)["comments"][0]
    assert shown["html"] == "<p>first</p>" and shown["edited_at"] is not None


def test_edit_window_closes(reader: Any, app: FastAPI, make_user: Any) -> None:
    made = posted(reader, "old words")
    with Session(app.state.engine) as db:
        row = db.get(Comment, made["id"])
        assert row is not None
        row.created_at = row.created_at - timedelta(seconds=901)
        db.add(row)
        db.commit()
    response = reader.patch(f"/api/comments/{made['id']}", json={"body": "new words"})
    assert response.status_code == 403
    assert response.json()["code"] == "edit_window_closed"
    assert reader.delete(f"/api/comments/{made['id']}", json={}).status_code == 403
    me = reader.get(f"/api/threads/{THREAD}/me").json()
    assert made["id"] not in me["editable"]
    # Editors can always step in.
    editor = member(app, make_user, Role.editor)
    assert editor.patch(f"/api/comments/{made['id']}", json={"body": "[edited]"}).status_code == 200
    assert editor.delete(f"/api/comments/{made['id']}", json={}).status_code == 204


def test_others_cannot_edit_or_delete(reader: Any, app: FastAPI, make_user: Any) -> None:
    made = posted(reader, "mine")
    other = member(app, make_user)
    response = other.patch(f"/api/comments/{made['id']}", json={"body": "yours now"})
    assert response.status_code == 403 and response.json()["code"] == "not_author"
    assert other.delete(f"/api/comments/{made['id']}", json={}).status_code == 403
    assert made["id"] not in other.get(f"/api/threads/{THREAD}/me").json()["editable"]


def test_anonymous_cannot_edit_or_delete(reader: Any, client: Any) -> None:
    made = posted(reader, "mine")
    assert client.patch(f"/api/comments/{made['id']}", json={"body": "x"}).status_code == 401
    assert client.delete(f"/api/comments/{made['id']}", json={}).status_code == 401


def test_delete_without_replies_removes_the_comment(reader: Any, client: Any) -> None:
    made = posted(reader, "oops")
    assert reader.delete(f"/api/comments/{made['id']}", json={}).status_code == 204
    data = listing(client)
    assert data["comments"] == [] and data["count"] == 0
    assert reader.delete(f"/api/comments/{made['id']}", json={}).status_code == 404


def test_delete_with_replies_keeps_the_thread_shape(
    reader: Any, client: Any, app: FastAPI, make_user: Any
) -> None:
    root = posted(reader, "secret root")
    replier = member(app, make_user, display_name="Bob")
    reply = posted(replier, "a reply", parent_id=root["id"])
    assert reader.delete(f"/api/comments/{root['id']}", json={}).status_code == 204
    data = listing(client)
    assert data["count"] == 1
    placeholder, kept = data["comments"]
    assert placeholder["id"] == root["id"]
    assert placeholder["deleted"] is True
    assert placeholder["html"] == "" and placeholder["author"] is None
    assert "secret" not in str(data)
    assert kept["id"] == reply["id"] and kept["parent_id"] == root["id"]
    # Once the last reply goes, the placeholder has nothing to hold and goes too.
    assert replier.delete(f"/api/comments/{reply['id']}", json={}).status_code == 204
    assert listing(client)["comments"] == []


def test_deleted_comment_cannot_be_replied_to_or_edited(
    reader: Any, app: FastAPI, make_user: Any
) -> None:
    root = posted(reader, "root")
    posted(member(app, make_user), "reply", parent_id=root["id"])
    reader.delete(f"/api/comments/{root['id']}", json={})
    assert post(reader, "late reply", parent_id=root["id"]).json()["code"] == "invalid_parent"
    assert reader.patch(f"/api/comments/{root['id']}", json={"body": "x"}).status_code == 404


def test_preview_renders_like_the_stored_comment(reader: Any, client: Any) -> None:
    response = client.post("/api/comments/preview", json={"body": "**bold** <b>raw</b>"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert html == "<p><strong>bold</strong> &lt;b&gt;raw&lt;/b&gt;</p>"
    assert posted(reader, "**bold** <b>raw</b>")["html"] == html


def test_listing_etag_and_304(reader: Any, client: Any) -> None:
    posted(reader, "one")
    first = client.get(f"/api/threads/{THREAD}/comments")
    etag = first.headers["etag"]
    assert "public" in first.headers["cache-control"]
    assert "s-maxage=5" in first.headers["cache-control"]
    again = client.get(f"/api/threads/{THREAD}/comments", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    weak = client.get(f"/api/threads/{THREAD}/comments", headers={"If-None-Match": f"W/{etag}"})
    assert weak.status_code == 304
    posted(reader, "two")
    changed = client.get(f"/api/threads/{THREAD}/comments", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert len(changed.json()["comments"]) == 2


def test_since_returns_only_newer_comments(reader: Any, client: Any) -> None:
    first = posted(reader, "one")
    second = posted(reader, "two")
    data = listing(client, since=first["id"])
    assert [c["id"] for c in data["comments"]] == [second["id"]]
    assert data["count"] == 2  # the total stays the thread's total
    assert listing(client, since=second["id"])["comments"] == []
    bad = client.get(f"/api/threads/{THREAD}/comments", params={"since": "-1"})
    assert bad.status_code == 422


def test_me_state_is_private_and_empty_for_anonymous(reader: Any, client: Any) -> None:
    made = posted(reader, "mine")
    mine = reader.get(f"/api/threads/{THREAD}/me")
    assert mine.headers["cache-control"] == "private, no-store"
    assert mine.json()["editable"] == [made["id"]]
    assert mine.json()["bodies"] == {str(made["id"]): "mine"}  # the Markdown, to its author
    anon = client.get(f"/api/threads/{THREAD}/me")
    assert anon.status_code == 200
    assert anon.json() == {
        "liked": False,
        "bookmarked": False,
        "liked_comments": [],
        "pending": [],
        "editable": [],
        "bodies": {},
    }
    assert "etag" not in mine.headers


def test_posting_is_rate_limited_per_account(reader: Any, settings: Any) -> None:
    statuses = [post(reader, f"c{i}").status_code for i in range(settings.comments_per_minute)]
    assert set(statuses) == {201}
    limited = post(reader, "one too many")
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60


def test_openapi_names_roles_and_errors_of_every_interaction_route(client: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    prefixes = (
        "/api/threads",
        "/api/comments",
        "/api/counts",
        "/api/me/bookmarks",
        "/api/moderation",
    )
    seen = 0
    for path, methods in spec["paths"].items():
        if not path.startswith(prefixes):
            continue
        for method, operation in methods.items():
            seen += 1
            assert operation.get("x-quire-role"), f"{method} {path} names no role"
            errors = [s for s in operation["responses"] if s.startswith(("4", "5"))]
            assert errors, f"{method} {path} declares no error responses"
            if method in {"post", "put", "patch", "delete"}:
                assert "415" in operation["responses"], f"{method} {path}"
    assert seen >= 17


def test_out_of_range_ids_and_nul_bytes_are_client_errors(reader: Any, client: Any) -> None:
    huge = 2**63
    assert reader.patch(f"/api/comments/{huge}", json={"body": "x"}).status_code == 422
    assert reader.put(f"/api/comments/{huge}/like", json={}).status_code == 422
    assert post(reader, "reply", parent_id=huge).status_code == 422
    since = client.get(f"/api/threads/{THREAD}/comments", params={"since": huge})
    assert since.status_code == 422
    made = posted(reader, "nul\x00byte")
    assert made["html"] == "<p>nulbyte</p>"


def test_a_broken_manifest_keeps_the_last_good_threads(
    reader: Any, app: FastAPI, settings: Any
) -> None:
    assert post(reader, "before").status_code == 201
    app.state.threads.check_interval = 0
    settings.manifest_path.write_text('{"version": 1, "threads": ', encoding="utf-8")  # mid-write
    assert post(reader, "during a publish").status_code == 201
    settings.manifest_path.unlink()
    assert post(reader, "manifest gone").status_code == 201

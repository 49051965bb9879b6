"""Likes on articles and comments: idempotent, counted from rows, safe under concurrency."""

from __future__ import annotations

import random
import threading
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from interaction_helpers import THREAD, listing, member, posted
from sqlalchemy import func
from sqlmodel import Session, col, select

from interactions_api.models.comment import CommentLike, ThreadLike
from interactions_api.models.user import Role
from interactions_api.services import sessions


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"moderation": "none", "likes_per_minute": 100_000}


@pytest.fixture
def reader(app: FastAPI, client: Any, make_user: Any, manifest: Any) -> Any:
    manifest(THREAD)
    return member(app, make_user)


def test_like_and_unlike_are_idempotent(reader: Any, app: FastAPI, make_user: Any) -> None:
    url = f"/api/threads/{THREAD}/like"
    assert reader.put(url, json={}).json() == {"liked": True, "likes": 1}
    assert reader.put(url, json={}).json() == {"liked": True, "likes": 1}
    other = member(app, make_user)
    assert other.put(url, json={}).json() == {"liked": True, "likes": 2}
    assert reader.delete(url, json={}).json() == {"liked": False, "likes": 1}
    assert reader.delete(url, json={}).json() == {"liked": False, "likes": 1}
    assert listing(reader)["likes"] == 1
    assert reader.get(f"/api/threads/{THREAD}/me").json()["liked"] is False
    assert other.get(f"/api/threads/{THREAD}/me").json()["liked"] is True


def test_comment_likes(reader: Any, app: FastAPI, make_user: Any, client: Any) -> None:
    made = posted(reader, "like me")
    url = f"/api/comments/{made['id']}/like"
    assert reader.put(url, json={}).json() == {"liked": True, "likes": 1}
    assert reader.put(url, json={}).json() == {"liked": True, "likes": 1}
    assert listing(client)["comments"][0]["likes"] == 1
    assert reader.get(f"/api/threads/{THREAD}/me").json()["liked_comments"] == [made["id"]]
    assert reader.delete(url, json={}).json() == {"liked": False, "likes": 0}
    missing = reader.put("/api/comments/9999/like", json={})
    assert missing.status_code == 404 and missing.json()["code"] == "comment_not_found"


def test_likes_need_an_account_and_no_ban(
    reader: Any, client: Any, app: FastAPI, make_user: Any
) -> None:
    url = f"/api/threads/{THREAD}/like"
    response = client.put(url, json={})
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    editor = member(app, make_user, Role.editor)
    ban = editor.post(f"/api/moderation/users/{reader.user.id}/ban", json={"days": 1})
    assert ban.status_code == 200
    refused = reader.put(url, json={})
    assert refused.status_code == 403 and refused.json()["code"] == "banned"
    assert listing(client)["likes"] == 0


def test_likes_are_rate_limited(
    app: FastAPI, make_user: Any, manifest: Any, client: Any, make_settings: Any
) -> None:
    manifest(THREAD)
    app.state.settings = make_settings(likes_per_minute=3)
    reader = member(app, make_user)
    url = f"/api/threads/{THREAD}/like"
    statuses = [reader.put(url, json={}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    last = reader.put(url, json={})
    assert last.json()["code"] == "rate_limited"
    assert 1 <= int(last.headers["retry-after"]) <= 60


# --- concurrency ----------------------------------------------------------------------


@pytest.mark.slow
def test_16_threads_toggling_likes_concurrently(
    app: FastAPI, make_user: Any, manifest: Any, live_server: str
) -> None:
    manifest(THREAD)
    author = member(app, make_user, Role.editor)
    comment_id = posted(author, "a popular comment")["id"]
    cookie = sessions.cookie_name(app.state.settings.cookie_secure)
    tokens = []
    for _ in range(16):
        user = make_user()
        with Session(app.state.engine) as db:
            tokens.append((user.id, sessions.start_session(db, user)))
            db.commit()
    errors: list[str] = []
    final: dict[tuple[int, str], bool] = {}
    barrier = threading.Barrier(16)

    def worker(user_id: int, token: str, seed: int) -> None:
        rng = random.Random(seed)
        headers = {"Cookie": f"{cookie}={token}", "Origin": "https://testserver"}
        with httpx.Client(base_url=live_server, headers=headers, timeout=30) as http:
            barrier.wait()
            for _ in range(15):
                target = rng.choice(
                    [f"/api/threads/{THREAD}/like", f"/api/comments/{comment_id}/like"]
                )
                liked = rng.random() < 0.6
                response = http.request("PUT" if liked else "DELETE", target, json={})
                if response.status_code != 200 or response.json()["liked"] is not liked:
                    errors.append(f"{response.status_code} {response.text}")
                final[(user_id, target)] = liked

    threads = [
        threading.Thread(target=worker, args=(uid, tok, i)) for i, (uid, tok) in enumerate(tokens)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    expected_thread = sum(1 for (_, t), v in final.items() if v and t.endswith(f"{THREAD}/like"))
    expected_comment = sum(1 for (_, t), v in final.items() if v and "/comments/" in t)
    with Session(app.state.engine) as db:
        thread_rows = db.exec(select(func.count()).select_from(ThreadLike)).one()
        comment_rows = db.exec(
            select(func.count()).where(col(CommentLike.comment_id) == comment_id)
        ).one()
    assert (thread_rows, comment_rows) == (expected_thread, expected_comment)
    data = httpx.get(f"{live_server}/api/threads/{THREAD}/comments").json()
    assert data["likes"] == expected_thread
    assert data["comments"][0]["likes"] == expected_comment

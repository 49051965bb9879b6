"""Bursts of writes against a real server: never a 5xx, never stuck, nothing lost.

Each burst opens every request at once on its own connection (as many readers of one
popular article do), on SQLite and on PostgreSQL. Every answer must be a success, no
request may take more than a few seconds, and the counts answered must equal the stored
rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from api_client import ORIGIN
from fastapi import FastAPI
from interaction_helpers import THREAD
from live_server import Outcome, burst, cookie_headers, serve, signed_in
from sqlalchemy import func
from sqlmodel import Session, col, select

from interactions_api.models.comment import Comment, ThreadLike
from interactions_api.models.user import ApiToken, User
from interactions_api.services import sessions
from tests.api.conftest import PASSWORD

# No single write may wait longer than this, however many arrive at once. Before the fix
# they waited 30 s and failed; the margin is for a machine busy with the rest of the suite.
SLOWEST_S = 12.0


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    limits = 1_000_000  # bursts from one address and account: measure the database, not limits
    return {"moderation": "none", "likes_per_minute": limits, "comments_per_minute": limits}


@pytest.fixture
def live(app: FastAPI, client: Any, manifest: Any) -> Iterator[str]:
    manifest(THREAD)
    with serve(app) as base_url:
        yield base_url


def assert_healthy(outcomes: list[Outcome], ok: int) -> None:
    """Every request answered `ok`, and none took longer than SLOWEST_S."""
    statuses = sorted({o.status for o in outcomes})
    odd = [(o.status, o.body) for o in outcomes if o.status != ok][:3]
    assert statuses == [ok], f"statuses {statuses} (0: no answer in time), e.g. {odd}"
    slowest = max(o.seconds for o in outcomes)
    assert slowest < SLOWEST_S, f"the slowest request took {slowest:.1f} s"


def stored_thread_likes(app: FastAPI) -> int:
    with Session(app.state.engine) as db:
        return int(db.exec(select(func.count()).select_from(ThreadLike)).one())


def test_one_user_toggling_a_like_100_times_at_once(
    app: FastAPI, make_user: Any, live: str
) -> None:
    [(_, headers)] = signed_in(app, make_user, 1)
    url = f"/api/threads/{THREAD}/like"

    async def toggle(http: Any, i: int) -> Any:
        return await http.request("PUT" if i % 2 else "DELETE", url, json={}, headers=headers)

    outcomes = burst(live, 100, toggle)
    assert_healthy(outcomes, 200)
    assert {o.body["likes"] for o in outcomes} <= {0, 1}
    # The state after the burst is whatever the last request made it: one row or none.
    final = stored_thread_likes(app)

    async def look(http: Any, _i: int) -> Any:
        return await http.put(url, json={}, headers=headers)

    [after] = burst(live, 1, look)
    assert final in (0, 1) and after.body == {"liked": True, "likes": 1}


def test_20_users_like_5_threads_at_once(
    app: FastAPI, make_user: Any, manifest: Any, live: str
) -> None:
    threads = [f"t{n}" for n in range(5)]
    manifest(THREAD, *threads)
    people = signed_in(app, make_user, 20)

    async def like(http: Any, i: int) -> Any:
        _, headers = people[i // 5]
        return await http.put(f"/api/threads/{threads[i % 5]}/like", json={}, headers=headers)

    outcomes = burst(live, 100, like)
    assert_healthy(outcomes, 200)
    assert stored_thread_likes(app) == 100
    # The count a like answers is read in its own transaction: it can never exceed the rows.
    counts = [o.body["likes"] for o in outcomes]
    assert min(counts) >= 1 and max(counts) <= 20
    if app.state.engine.dialect.name == "sqlite":
        # One writer at a time: the last like of a thread sees the 19 before it. (On
        # PostgreSQL two likes committing together may each miss the other's row.)
        assert max(counts) == 20


def test_100_comments_posted_at_once(app: FastAPI, make_user: Any, live: str) -> None:
    people = signed_in(app, make_user, 10)

    async def post(http: Any, i: int) -> Any:
        _, headers = people[i % 10]
        body = {"body": f"Comment number {i}, with *some* Markdown."}
        return await http.post(f"/api/threads/{THREAD}/comments", json=body, headers=headers)

    outcomes = burst(live, 100, post)
    assert_healthy(outcomes, 201)
    with Session(app.state.engine) as db:
        rows = db.exec(select(col(Comment.id)).where(col(Comment.thread_id) == THREAD)).all()
    assert sorted(rows) == sorted(o.body["id"] for o in outcomes)

    async def listing(http: Any, _i: int) -> Any:
        return await http.get(f"/api/threads/{THREAD}/comments")

    [listed] = burst(live, 1, listing)
    assert len(listed.body["comments"]) == 100


def test_a_new_personal_token_writes_at_once(app: FastAPI, make_user: Any, live: str) -> None:
    # Its first use records `last_used_at`; that write once waited 30 s for the request's
    # own write lock on SQLite and answered 500, and made every other writer wait too.
    user = make_user()
    with Session(app.state.engine, expire_on_commit=False) as db:
        _, token = sessions.create_api_token(db, user, "script")
        db.commit()
    others = signed_in(app, make_user, 5)
    bearer = {"Authorization": f"Bearer {token}"}

    async def like(http: Any, i: int) -> Any:
        headers = bearer if i == 0 else others[i - 1][1]
        return await http.put(f"/api/threads/{THREAD}/like", json={}, headers=headers)

    outcomes = burst(live, 6, like)
    assert_healthy(outcomes, 200)
    assert stored_thread_likes(app) == 6
    with Session(app.state.engine) as db:
        liked = db.exec(select(col(ThreadLike.user_id)).where(col(ThreadLike.user_id) == user.id))
        assert liked.all() == [user.id]
        [used] = db.exec(select(col(ApiToken.last_used_at)).where(col(ApiToken.user_id) == user.id))
        assert used is not None


def test_the_session_of_a_sign_in_works_for_the_very_next_request(
    app: FastAPI, make_user: Any, live: str
) -> None:
    # The session row must be committed before the sign-in answers: a browser that goes
    # on at once (the widget asks for /me right after) must never be told it is signed out.
    user = make_user()
    credentials = {"email": user.email, "password": PASSWORD}

    failures = []
    with httpx.Client(base_url=live, headers={"Origin": ORIGIN}, timeout=10) as http:
        for _ in range(100):
            signin = http.post("/api/auth/signin", json=credentials)
            assert signin.status_code == 200, signin.text
            me = http.get("/api/auth/me", headers=cookie_headers(app, session_of(app, signin)))
            if me.status_code != 200:
                failures.append(me.status_code)
    assert failures == []


def session_of(app: FastAPI, response: httpx.Response) -> str:
    """The session cookie a response sets."""
    name = sessions.cookie_name(app.state.settings.cookie_secure)
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(name + "="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"no {name} cookie in {response.headers}")


def test_writes_committed_after_the_handler_returns_do_not_stall_a_burst(
    app: FastAPI, make_user: Any, live: str
) -> None:
    # A profile change is committed when the handler returns, not by the handler: that
    # commit must get a thread even while every pool thread waits for the write lock.
    [(user, headers)] = signed_in(app, make_user, 1)

    async def rename(http: Any, i: int) -> Any:
        body = {"display_name": f"Name {i}"}
        return await http.patch("/api/me/profile", json=body, headers=headers)

    outcomes = burst(live, 100, rename)
    assert_healthy(outcomes, 200)
    with Session(app.state.engine) as db:
        stored = db.exec(select(col(User.display_name)).where(col(User.id) == user.id)).one()
    assert stored in {o.body["display_name"] for o in outcomes}

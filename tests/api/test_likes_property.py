"""Property: any sequence of like/unlike/comment/delete keeps every count equal to the rows.

Each example drives the real HTTP API and a tiny model of the expected state side by
side, then checks the listing, the batch counts and the database rows all agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interaction_helpers import THREAD, member
from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from interactions_api.models.comment import Comment, CommentLike, ThreadLike
from interactions_api.models.user import Role

USERS = 3  # user 0 is an editor, the others readers

Op = tuple[str, int, int]
ops = st.lists(
    st.tuples(
        st.sampled_from(["like", "unlike", "comment", "reply", "clike", "cunlike", "delete"]),
        st.integers(0, USERS - 1),
        st.integers(0, 20),
    ),
    max_size=25,
)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # Rows are reset behind the API between examples: no cached listings.
    return {
        "moderation": "none",
        "likes_per_minute": 100_000,
        "comments_per_minute": 100_000,
        "listing_cache_seconds": 0,
    }


@dataclass
class Model:
    """What the thread should look like."""

    thread_likes: set[int] = field(default_factory=set)
    # id -> (author index, parent id, placeholder?)
    comments: dict[int, list[Any]] = field(default_factory=dict)
    likes: dict[int, set[int]] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)

    def live(self) -> list[int]:
        return [c for c in self.order if c in self.comments and not self.comments[c][2]]

    def children(self, cid: int) -> bool:
        return any(v[1] == cid for v in self.comments.values())

    def remove(self, cid: int) -> None:
        if self.children(cid):
            self.comments[cid][2] = True
            return
        parent = self.comments.pop(cid)[1]
        self.likes.pop(cid, None)
        if parent is not None and self.comments[parent][2]:
            self.remove(parent)


def _pick(model: Model, n: int) -> int | None:
    known = [c for c in model.order if c in model.comments] or None
    return None if known is None else known[n % len(known)]


def _reset(app: FastAPI) -> None:
    with Session(app.state.engine) as db:
        db.exec(delete(CommentLike))
        db.exec(delete(ThreadLike))
        # Children first: parents are referenced by their replies.
        for comment in db.exec(select(Comment).order_by(col(Comment.id).desc())).all():
            db.delete(comment)
            db.flush()
        db.commit()


def _apply(clients: list[Any], model: Model, op: Op) -> None:
    kind, who, n = op
    http = clients[who]
    if kind in ("like", "unlike"):
        r = http.request(
            "PUT" if kind == "like" else "DELETE", f"/api/threads/{THREAD}/like", json={}
        )
        assert r.status_code == 200, r.text
        (model.thread_likes.add if kind == "like" else model.thread_likes.discard)(who)
        assert r.json()["likes"] == len(model.thread_likes)
        return
    if kind in ("comment", "reply"):
        parent = _pick(model, n) if kind == "reply" else None
        body: dict[str, Any] = {"body": f"c{n}"}
        if parent is not None:
            body["parent_id"] = parent
        r = http.post(f"/api/threads/{THREAD}/comments", json=body)
        if parent is not None and model.comments[parent][2]:
            assert r.status_code == 422, r.text
            return
        assert r.status_code == 201, r.text
        made = r.json()
        model.comments[made["id"]] = [who, made["parent_id"], False]
        assert made["id"] not in model.order, "a deleted comment's id was reused"
        model.order.append(made["id"])
        return
    target = _pick(model, n)
    if target is None:
        return
    exists = not model.comments[target][2]
    if kind in ("clike", "cunlike"):
        r = http.request(
            "PUT" if kind == "clike" else "DELETE", f"/api/comments/{target}/like", json={}
        )
        if not exists:
            assert r.status_code == 404, r.text
            return
        assert r.status_code == 200, r.text
        likes = model.likes.setdefault(target, set())
        (likes.add if kind == "clike" else likes.discard)(who)
        assert r.json()["likes"] == len(likes)
        return
    r = http.request("DELETE", f"/api/comments/{target}", json={})
    if not exists:
        assert r.status_code == 404, r.text
    elif who != 0 and model.comments[target][0] != who:
        assert r.status_code == 403, r.text
    else:
        assert r.status_code == 204, r.text
        model.remove(target)


def _check(app: FastAPI, client: Any, model: Model) -> None:
    data = client.get(f"/api/threads/{THREAD}/comments").json()
    counts = client.get("/api/counts", params={"threads": THREAD}).json()["counts"][THREAD]
    with Session(app.state.engine) as db:
        like_rows = db.exec(select(func.count()).select_from(ThreadLike)).one()
        live_rows = db.exec(
            select(func.count()).where(
                col(Comment.status) == "approved", col(Comment.deleted).is_(False)
            )
        ).one()
        per_comment = dict(
            db.exec(
                select(col(CommentLike.comment_id), func.count()).group_by(
                    col(CommentLike.comment_id)
                )
            ).all()
        )
    assert data["likes"] == counts["likes"] == like_rows == len(model.thread_likes)
    assert data["count"] == counts["comments"] == live_rows == len(model.live())
    listed = {c["id"]: c for c in data["comments"]}
    assert sorted(listed) == sorted(model.comments)
    for cid, comment in listed.items():
        assert comment["deleted"] is model.comments[cid][2]
        assert comment["likes"] == per_comment.get(cid, 0) == len(model.likes.get(cid, ()))


def test_counts_always_equal_rows(app: FastAPI, client: Any, make_user: Any, manifest: Any) -> None:
    manifest(THREAD)
    clients = [member(app, make_user, Role.editor)] + [member(app, make_user) for _ in range(2)]

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(sequence=ops)
    def run(sequence: list[Op]) -> None:
        _reset(app)
        model = Model()
        for op in sequence:
            _apply(clients, model, op)
        _check(app, client, model)

    run()

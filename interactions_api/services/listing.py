"""Reading threads: the public listing (one query), per-user state and batch counts.

The listing is the hot path (every article view that is not served from the CDN), so
it is one SQL statement that returns the thread's totals on every row and the comments
with their authors and like counts. An anchor row makes an empty thread still return
its totals. The result is plain JSON-ready dicts; the router serialises and tags it.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Table,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal,
    or_,
    true,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from interactions_api.config import Settings
from interactions_api.models.comment import (
    Bookmark,
    Comment,
    CommentLike,
    CommentStatus,
    ThreadLike,
    as_utc,
)
from interactions_api.models.user import Role, User
from interactions_api.services import markup
from interactions_api.services.comments import may_change

APPROVED = CommentStatus.approved.value
PENDING = CommentStatus.pending.value
THREADS_PER_QUERY = 500  # thread ids bound in one query (SQLite allows 32,766 parameters)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a `Z`, as every time in the API is written."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite's stored UTC (the listing's hot path)
        return moment.isoformat(timespec="seconds") + "Z"
    return as_utc(moment).isoformat(timespec="seconds").replace("+00:00", "Z")


def author_out(
    *,
    user_id: int | None,
    display_name: str | None,
    website: str | None,
    anon_name: str,
    anon_website: str,
) -> dict[str, Any]:
    """The public face of a comment's author (never the email)."""
    if user_id is None:
        return {"id": None, "display_name": anon_name, "website": markup.safe_url(anon_website)}
    return {"id": user_id, "display_name": display_name or "", "website": markup.safe_url(website)}


def comment_out(comment: Comment, author: User | None, likes: int) -> dict[str, Any]:
    """The JSON shape of one comment (see API_CONTRACT.md)."""
    return _shape(
        SimpleNamespace(
            id=comment.id,
            parent_id=comment.parent_id,
            depth=comment.depth,
            author_id=comment.author_id,
            display_name=None if author is None else author.display_name,
            website=None if author is None else author.website,
            author_name=comment.author_name,
            author_website=comment.author_website,
            html=comment.html,
            created_at=comment.created_at,
            edited_at=comment.edited_at,
            deleted=comment.deleted,
            likes=likes,
            status=comment.status,
        )
    )


def _shape(row: Any) -> dict[str, Any]:
    # `row` has the columns of `_comment_rows` as attributes: a result row (read by
    # attribute, the cheapest way; a listing shapes a few hundred per render).
    deleted = bool(row.deleted)
    return {
        "id": row.id,
        "parent_id": row.parent_id,
        "depth": row.depth,
        "author": None
        if deleted
        else author_out(
            user_id=row.author_id,
            display_name=row.display_name,
            website=row.website,
            anon_name=row.author_name,
            anon_website=row.author_website,
        ),
        "html": "" if deleted else row.html,
        "created_at": iso(row.created_at),
        "edited_at": None if deleted else iso(row.edited_at),
        "deleted": deleted,
        "likes": int(row.likes or 0),
        "status": "pending" if row.status == PENDING else "approved",
    }


def _comment_rows(c: Any) -> tuple[Any, list[Any]]:
    """What a listing shows of the comments of table alias `c`: which are visible
    (approved, or deleted with an approved reply: a placeholder keeps the replies in
    place), and the columns `_shape` takes, with each comment's author and like count."""
    child, u, cl = c.alias("child"), _table(User), _table(CommentLike)
    likes = sa_select(func.count()).select_from(cl).where(cl.c.comment_id == c.c.id)
    has_visible_reply = exists().where(child.c.parent_id == c.c.id, child.c.status == APPROVED)
    visible = or_(
        and_(c.c.status == APPROVED, c.c.deleted == false()),
        and_(c.c.deleted == true(), has_visible_reply),
    )
    columns = [
        c.c.id,
        c.c.parent_id,
        c.c.depth,
        c.c.author_id,
        c.c.author_name,
        c.c.author_website,
        c.c.html,
        c.c.created_at,
        c.c.edited_at,
        c.c.deleted,
        c.c.status,
        u.c.display_name,
        u.c.website,
        likes.scalar_subquery().label("likes"),
    ]
    return visible, columns


def thread_listing(db: Session, thread_id: str, *, since: int = 0) -> dict[str, Any]:
    """Approved comments of a thread (oldest first) with its totals, in one query."""
    params = {"thread_id": thread_id, "since": since}
    rows = db.connection().execute(_listing_statement(), params).all()
    first = rows[0]
    comments = [_shape(row) for row in rows if row.id is not None]
    return {
        "thread": thread_id,
        "count": int(first.total),
        "likes": int(first.thread_likes),
        "comments": comments,
    }


def thread_listing_json(db: Session, thread_id: str, *, since: int = 0) -> bytes:
    """`thread_listing` as the API's JSON: the bytes `json.dumps(..., separators=(",",
    ":"), ensure_ascii=False)` gives, with each comment's JSON reused while its row is
    unchanged. Under load every comment posted makes the next listing render again, and
    shaping and encoding every comment anew was most of the cost of a render."""
    params = {"thread_id": thread_id, "since": since}
    rows = db.connection().execute(_listing_statement(), params).all()
    first = rows[0]
    comments = ",".join(_comment_json(row) for row in rows if row.id is not None)
    head = f'{{"thread":{_dumps(thread_id)},"count":{int(first.total)},'
    return f'{head}"likes":{int(first.thread_likes)},"comments":[{comments}]}}'.encode()


_FRAGMENTS: dict[tuple[Any, ...], str] = {}  # a comment's row (all it shows) -> its JSON
FRAGMENTS_MAX = 5000  # rows kept: a few MB; cleared when full (refilled by one render)


def _comment_json(row: Any) -> str:
    key = tuple(row)[2:]  # the comment's columns, without the thread's totals
    found = _FRAGMENTS.get(key)
    if found is None:
        found = _dumps(_shape(row))
        if len(_FRAGMENTS) >= FRAGMENTS_MAX:
            _FRAGMENTS.clear()
        _FRAGMENTS[key] = found
    return found


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@functools.cache
def _listing_statement() -> Any:
    # Built once, with the thread and `since` as bound parameters: building it (the
    # aliases copy every column) cost as much as running it.
    c, u = _table(Comment), _table(User)
    counted, tl = c.alias("counted"), _table(ThreadLike)
    visible, columns = _comment_rows(c)
    thread_id, since = bindparam("thread_id", type_=String), bindparam("since", type_=Integer)
    total = (
        sa_select(func.count())
        .select_from(counted)
        .where(
            counted.c.thread_id == thread_id,
            counted.c.status == APPROVED,
            counted.c.deleted == false(),
        )
    )
    thread_likes = sa_select(func.count()).select_from(tl).where(tl.c.thread_id == thread_id)
    anchor = sa_select(literal(1).label("anchor")).subquery("anchor")
    return (
        sa_select(
            total.scalar_subquery().label("total"),
            thread_likes.scalar_subquery().label("thread_likes"),
            *columns,
        )
        .select_from(
            anchor.outerjoin(
                c, and_(c.c.thread_id == thread_id, c.c.id > since, visible)
            ).outerjoin(u, u.c.id == c.c.author_id)
        )
        .order_by(c.c.id)
    )


def thread_listings(db: Session, thread_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The comments (as `thread_listing` lists them) and thread likes of many threads, in
    two queries per THREADS_PER_QUERY threads instead of one query per thread: what
    publishing bakes into every article page (5,000 threads took 8-9 s one by one)."""
    result: dict[str, dict[str, Any]] = {t: {"comments": [], "likes": 0} for t in thread_ids}
    c, u = _table(Comment), _table(User)
    visible, columns = _comment_rows(c)
    for start in range(0, len(thread_ids), THREADS_PER_QUERY):
        batch = thread_ids[start : start + THREADS_PER_QUERY]
        stmt = (
            sa_select(c.c.thread_id.label("thread"), *columns)
            .select_from(c.outerjoin(u, u.c.id == c.c.author_id))
            .where(c.c.thread_id.in_(batch), visible)
            .order_by(c.c.thread_id, c.c.id)
        )
        for row in db.connection().execute(stmt):
            result[row.thread]["comments"].append(_shape(row))
        for thread_id, n in thread_likes(db, batch).items():
            result[thread_id]["likes"] = n
    return result


def counts(db: Session, thread_ids: list[str]) -> dict[str, dict[str, int]]:
    """Comment and like counts of many threads, in two grouped queries."""
    result = {t: {"comments": 0, "likes": 0} for t in thread_ids}
    if not thread_ids:
        return result
    comment_rows = db.exec(
        select(col(Comment.thread_id), func.count())
        .where(col(Comment.thread_id).in_(thread_ids))
        .where(col(Comment.status) == APPROVED, col(Comment.deleted) == false())
        .group_by(col(Comment.thread_id))
    ).all()
    for thread_id, n in comment_rows:
        result[thread_id]["comments"] = int(n)
    for thread_id, n in thread_likes(db, thread_ids).items():
        result[thread_id]["likes"] = n
    return result


def thread_likes(db: Session, thread_ids: list[str]) -> dict[str, int]:
    """The like counts of the threads among `thread_ids` that have likes, in one query."""
    rows = db.exec(
        select(col(ThreadLike.thread_id), func.count())
        .where(col(ThreadLike.thread_id).in_(thread_ids))
        .group_by(col(ThreadLike.thread_id))
    ).all()
    return {thread_id: int(n) for thread_id, n in rows}


def my_state(db: Session, settings: Settings, user: User | None, thread_id: str) -> dict[str, Any]:
    """What the caller has done on a thread: likes, bookmark, own pending comments."""
    state: dict[str, Any] = {
        "liked": False,
        "bookmarked": False,
        "liked_comments": [],
        "pending": [],
        "editable": [],
        "bodies": {},
    }
    if user is None or user.id is None:
        return state
    state["liked"] = db.get(ThreadLike, (thread_id, user.id)) is not None
    state["bookmarked"] = db.get(Bookmark, (user.id, thread_id)) is not None
    state["liked_comments"] = list(
        db.exec(
            select(col(CommentLike.comment_id))
            .join(Comment, col(Comment.id) == col(CommentLike.comment_id))
            .where(col(CommentLike.user_id) == user.id, col(Comment.thread_id) == thread_id)
            .order_by(col(CommentLike.comment_id))
        ).all()
    )
    mine = select(Comment).where(
        col(Comment.thread_id) == thread_id, col(Comment.deleted) == false()
    )
    if user.role < Role.editor:
        mine = mine.where(col(Comment.author_id) == user.id)
    own = db.exec(mine.order_by(col(Comment.id))).all()
    state["pending"] = [
        comment_out(c, user, 0)
        for c in own
        if c.status == CommentStatus.pending.value and c.author_id == user.id
    ]
    editable = [
        c
        for c in own
        if c.status in (APPROVED, CommentStatus.pending.value) and may_change(settings, user, c)
    ]
    state["editable"] = [c.id for c in editable]
    # The Markdown source only to its own author (an editor's list holds others' comments),
    # so an edit starts from what was written, even after a reload.
    state["bodies"] = {str(c.id): c.body for c in editable if c.author_id == user.id}
    return state

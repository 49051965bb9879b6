"""Baked comments: each thread's approved comments as static HTML for the article page.

At publish time the build job asks for every thread with something to show and hands the
result to the builder, so readers without JavaScript (and search engines) see the comments
as of the last publish. The markup is the widget's own (`widgets/src/comment-tree.js`): an
``<ol class="quire-list">`` of ``<li class="quire-c" data-quire-comment="N"
data-quire-json="...">`` items, each holding the API's comment JSON, so the widget takes
them over in place; its first load of the whole thread then refreshes their text and counts.

Escaping follows the widget: the stored, already sanitised `html` is the only markup
taken from a comment; names, links, times and the JSON are escaped text or attributes.
The output is a pure function of the listing (no clock, no locale), so a page whose
comments did not change gets the same bytes and is not uploaded again.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from html import escape
from typing import Any

from sqlalchemy import false, union
from sqlmodel import Session, col, select

from builder.render import BakedThread
from builder.render.env import human_date
from interactions_api.config import Settings
from interactions_api.models.comment import Comment, CommentStatus, ThreadLike
from interactions_api.services import listing
from interactions_api.services.outbox import enqueue_build, owe_publish_row

REBAKE_REASON = "comments"  # an outbox row's reason: a thread's baked comments changed


def active_threads(db: Session) -> list[str]:
    """Every thread with an approved comment or a like: the ones worth baking, sorted."""
    commented = select(col(Comment.thread_id)).where(
        col(Comment.status) == CommentStatus.approved.value, col(Comment.deleted) == false()
    )
    liked = select(col(ThreadLike.thread_id))
    rows = db.connection().execute(union(commented, liked)).scalars().all()
    return sorted(str(r) for r in rows)


def baked_threads(db: Session, thread_ids: Iterable[str]) -> dict[str, BakedThread]:
    """The baked comments (HTML, last comment id, like count) of each listed thread."""
    baked: dict[str, BakedThread] = {}
    for thread_id, data in listing.thread_listings(db, list(thread_ids)).items():
        comments: list[dict[str, Any]] = data["comments"]
        baked[thread_id] = BakedThread(
            html=render_comments(comments),
            last_id=max((int(c["id"]) for c in comments), default=0),
            likes=int(data["likes"]),
        )
    return baked


def render_comments(comments: list[dict[str, Any]]) -> str:
    """The widget's list markup for API comment dicts (oldest first); '' when there are none."""
    if not comments:
        return ""
    known = {c["id"] for c in comments}
    children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for comment in comments:
        # A reply whose parent is not listed goes to the top level, as the widget puts it.
        parent = comment["parent_id"] if comment["parent_id"] in known else None
        children[parent].append(comment)

    def items(parent: int | None) -> str:
        return "".join(_item(c, items(c["id"])) for c in children.get(parent, ()))

    return f'<ol class="quire-list">{items(None)}</ol>'


def _item(comment: dict[str, Any], replies: str) -> str:
    data = json.dumps(comment, separators=(",", ":"), ensure_ascii=False)
    author = comment["author"]
    if comment["deleted"]:
        body = '<p class="quire-gone">This comment was deleted.</p>'
        label = "Deleted comment"
    else:
        body = comment["html"]  # sanitised by markup.render when it was stored
        label = author["display_name"] if author else "Guest"
    return (
        f'<li class="quire-c" id="comment-{int(comment["id"])}" '
        f'data-quire-comment="{int(comment["id"])}" data-quire-json="{escape(data)}">'
        f'<article aria-label="{escape(label)}">{_byline(comment)}'
        f'<div class="quire-body">{body}</div></article>'
        f'<div class="quire-slot"></div><ol class="quire-replies">{replies}</ol></li>'
    )


def _byline(comment: dict[str, Any]) -> str:
    author = comment["author"]
    name = escape(author["display_name"]) if author else ("" if comment["deleted"] else "Guest")
    website = author.get("website") if author else None
    who = (
        f'<a href="{escape(website)}" rel="ugc nofollow noopener" class="quire-who">{name}</a>'
        if website
        else f'<span class="quire-who">{name}</span>'
    )
    created = comment["created_at"]
    time = f'<time datetime="{escape(created)}">{_day(created)}</time>'
    edited = ' <span class="quire-edited">· edited</span>' if comment["edited_at"] else ""
    return f'<header class="quire-meta">{who} {time}{edited}</header>'


def _day(stamp: str) -> str:
    # The theme's fixed, locale-free date (the widget replaces it with a relative time).
    return human_date(datetime.fromisoformat(stamp.replace("Z", "+00:00")))


def owe_rebake(db: Session, settings: Settings) -> bool:
    """Record, in the caller's transaction, that baked comments changed (a publish owed).

    The caller commits, then calls `request_rebake`: the outbox row makes the publish
    survive a Redis outage (the worker's reconciler enqueues it later).
    """
    if not settings.bake_comments:
        return False
    owe_publish_row(db, settings.site_id, REBAKE_REASON)
    return True


def request_rebake(redis: Any, settings: Settings) -> str:
    """After the commit: enqueue the site's build, coalesced with any already queued."""
    return enqueue_build(redis, settings)

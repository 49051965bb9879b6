"""Studio's comment queue (editors moderate): held, spam and removed comments with their
article, bulk decisions from one form, and a commenter's history.

Every decision goes through `comment_changes`, as the JSON API's do, so the baked pages
follow with the coalesced re-publish.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from interactions_api.deps import RedisDep, SessionDep, SettingsDep
from interactions_api.models.comment import CommentStatus
from interactions_api.models.comment_io import UserId
from interactions_api.routers._cache import committer
from interactions_api.routers._interactions import ThreadsDep
from interactions_api.services import comment_changes, moderation, moderation_lists, reports
from interactions_api.services.cpu import off_loop
from interactions_api.studio.deps import StudioEditor
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.routes.home import STATIC
from interactions_api.studio.web import done, page

router = APIRouter(include_in_schema=False)
COMMENTS = f"{STUDIO}/comments"
QUEUE_LIMIT = 200
Tab = Literal["pending", "reported", "spam", "rejected"]
TABS = (("pending", "Held"), ("reported", "Reported"), ("spam", "Spam"), ("rejected", "Removed"))
QUEUES = ("pending", "spam", "rejected")  # the statuses; "reported" are published ones
ACTIONS = {
    "approve": (CommentStatus.approved, "Approved"),
    "reject": (CommentStatus.rejected, "Removed"),
    "spam": (CommentStatus.spam, "Marked as spam"),
}


@router.get(COMMENTS)
def queue(
    request: Request,
    user: StudioEditor,
    db: SessionDep,
    settings: SettingsDep,
    threads: ThreadsDep,
    status: Annotated[Tab, Query()] = "pending",
) -> Response:
    """One tab of the queue (held by default), oldest first, with article and author."""
    if status == "reported":
        found = [(r.comment, r.author, _why(r)) for r in reports.reported(db, limit=QUEUE_LIMIT)]
    else:
        found = [
            (comment, author, (comment.moderation_reason or "—").replace("_", " "))
            for comment, author in moderation.queue(db, CommentStatus(status), limit=QUEUE_LIMIT)
        ]
    rows = [
        (comment, author, threads.get(comment.thread_id), _parent(db, comment.parent_id), why)
        for comment, author, why in found
    ]
    counts = {key: moderation.queue_size(db, CommentStatus(key)) for key in QUEUES}
    counts["reported"] = reports.reported_count(db)
    return page(
        request, settings, user, "studio/moderation/comments.html", section="comments",
        rows=rows, tab=status, tabs=TABS, counts=counts, limit=QUEUE_LIMIT,
    )  # fmt: skip


def _why(found: reports.Reported) -> str:
    said = "; ".join(f"\u201c{r}\u201d" for r in found.reasons[:3])
    return f"{found.count} report{'s' * (found.count != 1)}" + (f": {said}" if said else "")


def _parent(db: Any, parent_id: int | None) -> Any:
    """The comment replied to (shown as context), if any."""
    return None if parent_id is None else moderation.comment(db, parent_id)


@router.get(f"{STUDIO}/static/moderation.js")
def script() -> FileResponse:
    """The comment lists' small script (Select all)."""
    return FileResponse(
        STATIC / "moderation.js", media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )  # fmt: skip


@router.post(f"{COMMENTS}/bulk")
async def bulk(
    request: Request,
    user: StudioEditor,
    db: SessionDep,
    settings: SettingsDep,
    threads: ThreadsDep,
    redis: RedisDep,
) -> Response:
    """Approve, remove or mark as spam the ticked comments (one form, no JS needed)."""
    form = await request.form()
    back = _back(form.get("back"), form.get("status"))
    action = str(form.get("action", ""))
    ids = [int(v) for v in form.getlist("ids") if isinstance(v, str) and v.isdigit()]
    if action not in ACTIONS:
        return done(settings, back, "Choose what to do with the comments.", kind="error")
    if not ids:
        return done(settings, back, "Tick at least one comment first.", kind="error")
    status, label = ACTIONS[action]
    decided = await off_loop(
        comment_changes.decide_many, db, redis, settings, threads=threads,
        comment_ids=ids[:500], status=status, commit=committer(request, db),
    )  # fmt: skip
    count = f"{len(decided)} comment{'' if len(decided) == 1 else 's'}"
    note = "; the site updates in a moment." if decided else "."
    return done(settings, back, f"{label}: {count}{note}")


def _back(back: object, status: object) -> str:
    """Where the form came from: a commenter's page, or the queue's tab."""
    if isinstance(back, str) and back.startswith(f"{COMMENTS}/authors/") and back[25:].isdigit():
        return back
    return f"{COMMENTS}?status={status}" if status in (*QUEUES, "reported") else COMMENTS


@router.get(f"{COMMENTS}/authors/{{user_id}}")
def author_history(
    request: Request, user_id: UserId, user: StudioEditor, db: SessionDep, settings: SettingsDep,
    threads: ThreadsDep,
) -> Response:  # fmt: skip
    """A commenter's comments (every status, newest first), their ban and a ban form."""
    found = moderation_lists.history(db, user_id)
    articles = {c.thread_id: threads.get(c.thread_id) for c in found.comments}
    return page(
        request, settings, user, "studio/moderation/author.html", section="comments",
        history=found, threads=articles, banned=moderation.is_banned(found.user),
        may_ban=found.user.role < user.role,
    )  # fmt: skip

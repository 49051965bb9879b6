"""Editors' screens: the review queue (`/studio/review`, filtered by status and author,
with counts), one submission side by side with the live article
(`/studio/review/<id>`), remarks, and the review actions as plain forms.

HTTP only: services/inbox.py (queue, remarks), review.py (via publishing.py: approve now
or at a time, request changes, reject, unschedule) and diffs.py (the rendered diff).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from interactions_api.config import Settings
from interactions_api.deps import RedisDep, SessionDep, SettingsDep
from interactions_api.errors import ApiError, Unprocessable
from interactions_api.models.inbox import Status
from interactions_api.models.user import User
from interactions_api.services import diffs, inbox, publishing, review, submissions, users
from interactions_api.services.cpu import off_loop
from interactions_api.studio import postform
from interactions_api.studio.deps import StudioEditor
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.web import done, page

router = APIRouter(include_in_schema=False)
REVIEW = f"{STUDIO}/review"
ACTIONS = frozenset({"request_changes", "reject", "unschedule", "approve", "remark"})
DONE = {
    "approve": "Approved; the site rebuilds now.",
    "request_changes": "Changes requested; the author was told.",
    "reject": "Rejected; the author was told.",
    "unschedule": "The schedule is cancelled; it is back in review.",
    "remark": "Remark added.",
}


@router.get(REVIEW)
def queue(
    request: Request,
    user: StudioEditor,
    db: SessionDep,
    settings: SettingsDep,
    status: str = "in_review",
    author: str = "",
) -> Response:
    """Submissions by status (in review first) and author, with a count per status."""
    wanted = [status] if status in Status.__members__ else []
    author_id = int(author) if author.isdigit() else None
    rows = inbox.list_submissions(db, user, status=wanted, author_id=author_id)
    counts = submissions.status_counts(db)
    return page(
        request, settings, user, "studio/review/queue.html", section="review",
        rows=rows, counts=counts, total=sum(counts.values()), current=status if wanted else "all",
        author=author_id, statuses=[s.value for s in Status],
        authors=users.names(db, submissions.author_ids(db)),
    )  # fmt: skip


@router.get(REVIEW + "/{submission_id}")
def detail(
    request: Request, submission_id: int, user: StudioEditor, db: SessionDep, settings: SettingsDep
) -> Response:
    """The revision beside the live article, changed fields, remarks and actions."""
    return _detail(request, db, settings, user, submission_id)


def _detail(
    request: Request,
    db: Session,
    settings: Settings,
    user: User,
    submission_id: int,
    *,
    error: str = "",
    status: int = 200,
) -> Response:
    sub = inbox.get_submission(db, submission_id, user)
    rev = inbox.current_revision(db, sub)
    side = diffs.side_by_side(db, sub, rev)
    remarks = inbox.remarks(db, sub)
    history = inbox.history(db, sub)
    ids = [sub.author_id, *(r.author_id for r in remarks), *(h.actor_id for h in history)]
    state, build = publishing.build_state(db, sub)
    return page(
        request, settings, user, "studio/review/detail.html", section="review", status=status,
        sub=sub, rev=rev, side=side, remarks=remarks, history=history, error=error,
        people=users.names(db, ids), state=state, build=build, **postform.image_urls(sub),
        may_approve=sub.author_id != user.id
        or review.may_approve_own(db, settings.allow_self_approval),
    )  # fmt: skip


@router.post(REVIEW + "/{submission_id}/{action}")
async def act(
    request: Request,
    submission_id: int,
    action: str,
    user: StudioEditor,
    db: SessionDep,
    settings: SettingsDep,
    redis: RedisDep,
) -> Response:
    """Approve (now or at a time), request changes, reject, unschedule, or remark."""
    form = await request.form()
    # approving checks the article with the builder's parser: off the event loop
    return await off_loop(_act, request, db, settings, redis, user, submission_id, action, form)


def _act(
    request: Request,
    db: Session,
    settings: Settings,
    redis: Any,
    user: User,
    submission_id: int,
    action: str,
    form: FormData,
) -> Response:
    sub = inbox.get_submission(db, submission_id, user)
    note = postform.text(form, "note").strip()
    version = postform.number(form, "version")
    try:
        if action not in ACTIONS:
            raise Unprocessable(f"Unknown action {action!r}.", code="invalid_action")
        if action == "approve":
            publish_at = postform.when(postform.text(form, "publish_at"), "publish_at")
            publishing.approve(
                db, redis, settings, sub, user, version=version, publish_at=publish_at, note=note
            )
        elif action == "remark":
            parent = postform.number(form, "parent_id")
            inbox.add_remark(db, sub, user, note, parent_id=parent if parent > 0 else None)
            db.commit()
        else:
            publishing.take_action(
                db, redis, settings, sub, user, action, version=version, note=note
            )
    except ApiError as exc:
        db.rollback()
        status = 422 if exc.status == 400 else exc.status
        answer = _detail(
            request, db, settings, user, submission_id, error=exc.message, status=status
        )
        answer.headers.update(exc.headers)
        return answer
    target = f"{REVIEW}/{submission_id}" if action == "remark" else REVIEW
    return done(settings, target, DONE[action])

"""The inbox pages' plain form posts that act on a submission.

`/{id}/do/{action}`: submit, withdraw, request changes, reject, unschedule, approve,
remark, restore and image upload; an error is shown on the submission's page, a success
redirects back to it. (Signing in and out is routers/account_pages.py's.)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from interactions_api.deps import GuardDep, OptionalUser, RedisDep, SessionDep, SettingsDep
from interactions_api.errors import ApiError, Unprocessable
from interactions_api.models.inbox import Submission
from interactions_api.models.user import User

# the page helpers both inbox page modules share
from interactions_api.routers.inbox_pages import BASE, _detail, _need_author, _version
from interactions_api.services import inbox, publishing
from interactions_api.services.cpu import off_loop
from interactions_api.services.guard import Guard
from interactions_api.services.uploads import add_image

router = APIRouter(prefix=BASE, include_in_schema=False)


@router.post("/{submission_id}/do/{action}", response_class=HTMLResponse)
async def act(
    request: Request,
    submission_id: int,
    action: str,
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    redis: RedisDep,
    guard: GuardDep,
) -> Response:
    """Submit, withdraw, request changes, reject, unschedule, approve, remark, restore."""
    actor = _need_author(user)
    form = await request.form()
    # approving checks the body, an image is re-encoded: all of it off the event loop
    return await off_loop(
        _act, request, db, settings, redis, guard, actor, submission_id, action, form
    )


def _act(
    request: Request,
    db: Any,
    settings: Any,
    redis: Any,
    guard: Guard,
    actor: User,
    submission_id: int,
    action: str,
    form: FormData,
) -> Response:
    note = form.get("note")
    note = note.strip() if isinstance(note, str) else ""
    try:
        sub = inbox.get_submission(db, submission_id, actor)
        if action == "approve":
            _approve(db, sub, actor, form, note, settings, redis)
        elif action == "remark":
            parent = form.get("parent_id")
            parent_id = int(parent) if isinstance(parent, str) and parent.isdigit() else None
            inbox.add_remark(db, sub, actor, note, parent_id=parent_id)
        elif action == "restore":
            number = form.get("number")
            inbox.restore_revision(db, sub, actor, int(str(number or 0)), version=_version(form))
        elif action == "image":
            guard.inbox_write(actor).enforce()
            upload = form.get("image")
            if not isinstance(upload, UploadFile):
                raise Unprocessable("Choose an image file to upload.", code="invalid")
            data = upload.file.read(settings.inbox_image_max_bytes + 1)
            add_image(db, settings, sub, actor, data, filename=upload.filename or "upload")
        else:
            publishing.take_action(
                db, redis, settings, sub, actor, action, version=_version(form), note=note
            )
    except ApiError as exc:
        db.rollback()
        page = _detail(request, db, settings, actor, submission_id, exc.message, exc.status)
        page.headers.update(exc.headers)  # a busy server's Retry-After
        return page
    return RedirectResponse(f"{BASE}/{submission_id}", status_code=303)


def _approve(
    db: Any, sub: Submission, editor: User, form: FormData, note: str, settings: Any, redis: Any
) -> None:
    raw = form.get("publish_at")
    publish_at = None
    if isinstance(raw, str) and raw.strip():
        try:  # <input type=datetime-local> has no zone: it is read as UTC, as the form says
            publish_at = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise Unprocessable(f"{raw!r} is not a date and time.", code="invalid") from None
        if publish_at.tzinfo is None:
            publish_at = publish_at.replace(tzinfo=UTC)
    publishing.approve(
        db, redis, settings, sub, editor, version=_version(form), publish_at=publish_at, note=note
    )

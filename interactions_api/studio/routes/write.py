"""Authors' screens: write a new article (`/studio/write`), edit one
(`/studio/write/<id>`), upload an image to it, answer remarks, and the list of their
submissions (`/studio/submissions`).

HTTP only: the rules are services/inbox.py's (create, revise, remarks), publishing.py's
(submit, withdraw) and diffs.py's (preview, in the render sandbox), the same the JSON API
under /api/inbox calls. Every action is a plain form; studio/static/write.js adds the
live preview, autosave and image drag-and-drop on top, through that JSON API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from interactions_api.config import Settings
from interactions_api.deps import GuardDep, RedisDep, SessionDep, SettingsDep
from interactions_api.errors import ApiError, Unprocessable
from interactions_api.models.inbox import Status, Submission
from interactions_api.models.user import User
from interactions_api.services import diffs, inbox, publishing, submissions, users
from interactions_api.services.cpu import off_loop
from interactions_api.services.postfile import image_url
from interactions_api.services.uploads import add_image, submission_images, waiting_image
from interactions_api.studio import postform
from interactions_api.studio.deps import StudioAuthor
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.web import done, page

router = APIRouter(include_in_schema=False)
WRITE = f"{STUDIO}/write"
REVIEW = f"{STUDIO}/review"
STATIC = Path(__file__).resolve().parents[1] / "static"
AUTOSAVED = frozenset({Status.draft.value, Status.changes_requested.value})


@router.get(WRITE)
def new_form(
    request: Request, user: StudioAuthor, db: SessionDep, settings: SettingsDep
) -> Response:
    """An empty article."""
    return _editor(request, db, settings, user, None, {"body": ""})


@router.post(WRITE)
async def new_post(
    request: Request,
    user: StudioAuthor,
    db: SessionDep,
    settings: SettingsDep,
    redis: RedisDep,
    guard: GuardDep,
) -> Response:
    """Preview, save as a draft, or save and submit for review."""
    guard.inbox_write(user).enforce()
    form = await request.form()
    return await off_loop(_save, request, db, settings, redis, user, None, form)


@router.get(WRITE + "/{submission_id}")
def edit_form(
    request: Request, submission_id: int, user: StudioAuthor, db: SessionDep, settings: SettingsDep
) -> Response:
    """An article filled with its current revision."""
    sub = inbox.get_submission(db, submission_id, user)
    values = postform.values_from(inbox.current_revision(db, sub), sub.version)
    return _editor(request, db, settings, user, sub, values)


@router.post(WRITE + "/{submission_id}")
async def edit_post(
    request: Request,
    submission_id: int,
    user: StudioAuthor,
    db: SessionDep,
    settings: SettingsDep,
    redis: RedisDep,
    guard: GuardDep,
) -> Response:
    """Preview, save a new revision, save and submit, or withdraw from review."""
    guard.inbox_write(user).enforce()
    sub = inbox.get_submission(db, submission_id, user)
    form = await request.form()
    return await off_loop(_save, request, db, settings, redis, user, sub, form)


def _save(
    request: Request,
    db: Session,
    settings: Settings,
    redis: Any,
    user: User,
    sub: Submission | None,
    form: FormData,
) -> Response:
    do = postform.text(form, "do")
    values = postform.values_of(form)
    try:
        if do == "withdraw" and sub is not None:
            version = postform.number(form, "version")
            publishing.take_action(db, redis, settings, sub, user, "withdraw", version=version)
            return done(settings, f"{WRITE}/{sub.id}", "Withdrawn: it is a draft again.")
        post = postform.post_in(form)
        if do == "preview":
            return _editor(request, db, settings, user, sub, values, preview=True)
        if sub is None:
            slug = postform.text(form, "slug").strip() or None
            sub = inbox.create_submission(db, user, post.fields(), slug=slug)
        else:
            version = postform.number(form, "version")
            inbox.save_revision(db, sub, user, post.fields(), version=version)
        if do == "submit":
            db.flush()
            publishing.take_action(db, redis, settings, sub, user, "submit", version=sub.version)
            return done(settings, f"{STUDIO}/submissions", "Submitted for review.")
        db.commit()
    except (ApiError, ValidationError) as exc:
        db.rollback()
        status = exc.status if isinstance(exc, ApiError) else 422
        errors = postform.errors_of(exc)
        return _editor(request, db, settings, user, sub, values, errors=errors, status=status)
    return done(settings, f"{WRITE}/{sub.id}", "Draft saved.")


def _editor(
    request: Request,
    db: Session,
    settings: Settings,
    user: User,
    sub: Submission | None,
    values: dict[str, str],
    *,
    preview: bool = False,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    html, problems = "", list[str]()
    errors = dict(errors or {})
    if preview:
        try:
            post = postform.post_in(values)
            html, problems = diffs.preview(post.fields(), slug=sub.slug if sub else "preview")
        except (ApiError, ValidationError) as exc:
            errors.update(postform.errors_of(exc))
            status = 422
    if problems:
        errors.setdefault("body", " ".join(problems))
    remarks = inbox.remarks(db, sub) if sub else []
    return page(
        request, settings, user, "studio/write/edit.html", section="write", status=status,
        sub=sub, values=values, errors=errors, preview=html, previewed=preview,
        tags=submissions.known_tags(db), remarks=remarks,
        people=users.names(db, [sub.author_id, *(r.author_id for r in remarks)] if sub else []),
        images=[(n, image_url(sub.slug, n)) for n in submission_images(db, sub)] if sub else [],
        editable=sub is None or Status(sub.status) in inbox.EDITABLE,
        autosave=sub is None or sub.status in AUTOSAVED, **postform.image_urls(sub),
    )  # fmt: skip


@router.post(WRITE + "/{submission_id}/image")
async def upload(
    request: Request,
    submission_id: int,
    user: StudioAuthor,
    db: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
) -> Response:
    """Upload an image (the form without JavaScript); the page then shows its Markdown."""
    guard.inbox_write(user).enforce()
    sub = inbox.get_submission(db, submission_id, user)
    form = await request.form()
    image = form.get("image")
    try:
        if not isinstance(image, UploadFile) or not image.filename:
            raise Unprocessable("Choose an image file to upload.", code="invalid")
        data = await image.read(settings.inbox_image_max_bytes + 1)
        name = await off_loop(add_image, db, settings, sub, user, data, filename=image.filename)
        db.commit()
    except ApiError as exc:
        db.rollback()
        values = postform.values_from(inbox.current_revision(db, sub), sub.version)
        errors = {"image": exc.message}
        return _editor(request, db, settings, user, sub, values, errors=errors, status=exc.status)
    markdown = f"![Describe the image]({image_url(sub.slug, name)})"
    return done(settings, f"{WRITE}/{sub.id}", f"Uploaded. Place it with {markdown}", "info")


@router.post(WRITE + "/{submission_id}/remark")
async def answer(
    request: Request, submission_id: int, user: StudioAuthor, db: SessionDep, settings: SettingsDep
) -> Response:
    """Answer an editor's remark."""
    sub = inbox.get_submission(db, submission_id, user)
    form = await request.form()
    parent = postform.number(form, "parent_id")
    note = postform.text(form, "note")
    inbox.add_remark(db, sub, user, note, parent_id=parent if parent > 0 else None)
    db.commit()
    return done(settings, f"{WRITE}/{sub.id}#remarks", "Answer sent.")


@router.get(f"{STUDIO}/submissions/{{submission_id}}")
def open_submission(submission_id: int, user: StudioAuthor, db: SessionDep) -> Response:
    """A submission's own screen for this account: its author writes, an editor reviews
    (the address mails link to)."""
    sub = inbox.get_submission(db, submission_id, user)
    mine = sub.author_id == user.id
    return RedirectResponse(f"{WRITE if mine else REVIEW}/{sub.id}", status_code=303)


@router.get(f"{STUDIO}/submissions")
def my_submissions(
    request: Request, user: StudioAuthor, db: SessionDep, settings: SettingsDep
) -> Response:
    """The author's submissions: status, remarks, build and where it is live."""
    rows = [
        (s, r, publishing.build_state(db, s)[0], len(inbox.remarks(db, s)))
        for s, r in inbox.list_submissions(db, user, mine=True)
    ]
    return page(
        request, settings, user, "studio/write/submissions.html", section="submissions",
        rows=rows, next_at=inbox.next_scheduled(db, settings.site_id),
    )  # fmt: skip


@router.get(WRITE + "/{submission_id}/images/{name}")
def image(
    submission_id: int, name: str, user: StudioAuthor, db: SessionDep, settings: SettingsDep
) -> FileResponse:
    """An uploaded image, for previews and reviews before the site has it."""
    sub = inbox.get_submission(db, submission_id, user)
    path = waiting_image(db, settings, sub, name)
    return FileResponse(path, headers={"Cache-Control": "private, max-age=86400"})


@router.get(f"{STUDIO}/static/write.js")
def script() -> FileResponse:
    """The writing screen's progressive enhancement (live preview, autosave, images)."""
    return FileResponse(
        STATIC / "write.js", media_type="text/javascript", headers={"Cache-Control": "no-cache"}
    )

"""The inbox's web pages (`/api/inbox/ui/`): server-rendered, usable without JavaScript.

Under /api so the CDN sends them to the API like every other dynamic path. Every form
carries the session's CSRF token (checked by the request guard before any handler runs);
every change carries the version the page showed. Errors are shown on the page they came
from, with the user's input kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from interactions_api import pages
from interactions_api.deps import (
    GuardDep,
    OptionalUser,
    RedisDep,
    SessionDep,
    SettingsDep,
)
from interactions_api.errors import ApiError
from interactions_api.models.inbox import Status, Submission
from interactions_api.models.inbox_io import PostIn
from interactions_api.models.user import Role, User
from interactions_api.services import diffs, inbox, publishing, review, users
from interactions_api.services.cpu import off_loop
from interactions_api.services.postfile import image_url
from interactions_api.services.uploads import submission_images

router = APIRouter(prefix="/api/inbox/ui", include_in_schema=False)
BASE = pages.INBOX


def _page(
    request: Request, settings: Any, user: User | None, name: str, status: int = 200, **ctx: Any
) -> HTMLResponse:
    return pages.render(request, settings, user, name, status, **ctx)


def _need_author(user: User | None) -> User:
    return pages.need_role(user, Role.author)


def _post_in(form: FormData) -> PostIn:
    def text(key: str) -> str:
        value = form.get(key)
        return value if isinstance(value, str) else ""

    tags = [t.strip() for t in text("tags").split(",") if t.strip()]
    date = text("date").strip() or None
    return PostIn.model_validate(
        {
            "title": text("title"),
            "body": text("body"),
            "tags": tags,
            "summary": text("summary"),
            "cover_src": text("cover_src"),
            "cover_alt": text("cover_alt"),
            "date": date,
        }
    )


def _version(form: FormData) -> int:
    value = form.get("version")
    return int(value) if isinstance(value, str) and value.isdigit() else -1


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: OptionalUser, db: SessionDep, settings: SettingsDep) -> Response:
    """The author's submissions with their status, remarks and build."""
    user = _need_author(user)
    rows = [
        (s, r, publishing.build_state(db, s)[0], len(inbox.remarks(db, s)))
        for s, r in inbox.list_submissions(db, user, mine=True)
    ]
    return _page(
        request,
        settings,
        user,
        "list.html",
        rows=rows,
        next_at=inbox.next_scheduled(db, settings.site_id),
    )


@router.get("/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    status: str = "in_review",
    q: str = "",
) -> Response:
    """The editors' queue, filtered by status and text."""
    user = pages.need_role(user, Role.editor)
    statuses = [status] if status in Status.__members__ else []
    rows = [
        (s, r, publishing.build_state(db, s)[0], 0)
        for s, r in inbox.list_submissions(db, user, status=statuses, q=q[:100])
    ]
    return _page(
        request,
        settings,
        user,
        "queue.html",
        rows=rows,
        current=status,
        q=q,
        statuses=[s.value for s in Status],
    )


@router.get("/new", response_class=HTMLResponse)
def new_form(request: Request, user: OptionalUser, settings: SettingsDep) -> Response:
    """An empty write form."""
    _need_author(user)
    return _page(request, settings, user, "form.html", sub=None, values={}, errors=[])


@router.post("/new", response_class=HTMLResponse)
async def new_post(
    request: Request,
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
    redis: RedisDep,
) -> Response:
    """Preview, or create the draft (and submit it, with the submit button)."""
    author = _need_author(user)
    guard.inbox_write(author).enforce()
    form = await request.form()
    # rendering and checking the body take up to a second: off the event loop
    return await off_loop(_new_post, request, db, settings, redis, author, form)


def _new_post(
    request: Request, db: Any, settings: Any, redis: Any, author: User, form: FormData
) -> Response:
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        post = _post_in(form)
        if form.get("do") == "preview":
            return _form(request, settings, author, None, values, post)
        slug = values.get("slug", "").strip() or None
        sub = inbox.create_submission(db, author, post.fields(), slug=slug)
        if form.get("do") == "submit":
            publishing.take_action(db, redis, settings, sub, author, "submit", version=sub.version)
    except (ApiError, ValidationError) as exc:
        db.rollback()
        return _form(request, settings, author, None, values, None, exc)
    return RedirectResponse(f"{BASE}/{sub.id}", status_code=303)


def _form(
    request: Request,
    settings: Any,
    user: User,
    sub: Submission | None,
    values: dict[str, str],
    post: PostIn | None,
    exc: Exception | None = None,
) -> HTMLResponse:
    preview_html, problems = "", list[str]()
    if post is not None:
        preview_html, problems = diffs.preview(post.fields(), slug=sub.slug if sub else "preview")
    errors = _messages(exc) + problems
    status = getattr(exc, "status", 422) if exc else 200
    return _page(
        request,
        settings,
        user,
        "form.html",
        status=status,
        sub=sub,
        values=values,
        errors=errors,
        preview=preview_html,
    )


def _messages(exc: Exception | None) -> list[str]:
    if exc is None:
        return []
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return [getattr(exc, "message", str(exc))]


@router.get("/{submission_id}", response_class=HTMLResponse)
def detail(
    request: Request, submission_id: int, user: OptionalUser, db: SessionDep, settings: SettingsDep
) -> Response:
    """Preview, remarks, history, diff, build status and the actions allowed."""
    return _detail(request, db, settings, _need_author(user), submission_id)


def _detail(
    request: Request,
    db: Any,
    settings: Any,
    user: User,
    submission_id: int,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    sub = inbox.get_submission(db, submission_id, user)
    rev = inbox.current_revision(db, sub)
    state, build = publishing.build_state(db, sub)
    against, fields, lines = diffs.diff(db, sub, rev)
    remarks = inbox.remarks(db, sub)
    people = {u.id: u.display_name for u in _people(db, sub, remarks)}
    html, unshown = diffs.shown_body(rev.body)
    return _page(
        request,
        settings,
        user,
        "detail.html",
        status=status,
        sub=sub,
        rev=rev,
        html=html,
        state=state,
        build=build,
        against=against,
        fields=fields,
        lines=lines,
        remarks=remarks,
        people=people,
        history=inbox.history(db, sub),
        revisions=inbox.revisions(db, sub),
        error=error or unshown,
        images=[(n, image_url(sub.slug, n)) for n in submission_images(db, sub)],
        is_author=sub.author_id == user.id,
        may_approve=sub.author_id != user.id
        or review.may_approve_own(db, settings.allow_self_approval),
    )


def _people(db: Any, sub: Submission, remarks: list[Any]) -> list[User]:
    ids = {sub.author_id, *(r.author_id for r in remarks)}
    ids |= {h.actor_id for h in inbox.history(db, sub) if h.actor_id}
    return users.by_ids(db, ids)


@router.get("/{submission_id}/edit", response_class=HTMLResponse)
def edit_form(
    request: Request, submission_id: int, user: OptionalUser, db: SessionDep, settings: SettingsDep
) -> Response:
    """The write form, filled with the current revision."""
    author = _need_author(user)
    sub = inbox.get_submission(db, submission_id, author)
    rev = inbox.current_revision(db, sub)
    values = {
        "title": rev.title,
        "body": rev.body,
        "tags": ", ".join(rev.tags),
        "summary": rev.summary,
        "cover_src": rev.cover_src,
        "cover_alt": rev.cover_alt,
        "date": rev.date.isoformat(timespec="minutes") if rev.date else "",
        "version": str(sub.version),
    }
    return _page(request, settings, author, "form.html", sub=sub, values=values, errors=[])


@router.post("/{submission_id}/edit", response_class=HTMLResponse)
async def edit_post(
    request: Request,
    submission_id: int,
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
    redis: RedisDep,
) -> Response:
    """Preview, or save a new revision (and submit it)."""
    author = _need_author(user)
    guard.inbox_write(author).enforce()
    form = await request.form()
    return await off_loop(_edit_post, request, db, settings, redis, author, submission_id, form)


def _edit_post(
    request: Request,
    db: Any,
    settings: Any,
    redis: Any,
    author: User,
    submission_id: int,
    form: FormData,
) -> Response:
    sub = inbox.get_submission(db, submission_id, author)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        post = _post_in(form)
        if form.get("do") == "preview":
            return _form(request, settings, author, sub, values, post)
        inbox.save_revision(db, sub, author, post.fields(), version=_version(form))
        if form.get("do") == "submit":
            publishing.take_action(db, redis, settings, sub, author, "submit", version=sub.version)
    except (ApiError, ValidationError) as exc:
        db.rollback()
        return _form(request, settings, author, sub, values, None, exc)
    return RedirectResponse(f"{BASE}/{sub.id}", status_code=303)

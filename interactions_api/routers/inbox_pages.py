"""The inbox's web pages (`/api/inbox/ui/`): server-rendered, usable without JavaScript.

Under /api so the CDN sends them to the API like every other dynamic path. Every form
carries the session's CSRF token (checked by the request guard before any handler runs);
every change carries the version the page showed. Errors are shown on the page they came
from, with the user's input kept.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlmodel import col, select
from starlette.datastructures import FormData, UploadFile

from builder.markdown import render_markdown
from interactions_api.deps import (
    ClientIP,
    LimiterDep,
    OptionalUser,
    RedisDep,
    SessionDep,
    SettingsDep,
)
from interactions_api.errors import ApiError, Forbidden, Unprocessable
from interactions_api.models.inbox import Status, Submission
from interactions_api.models.inbox_io import PostIn
from interactions_api.models.user import Role, User
from interactions_api.routers.auth import clear_session_cookie, set_session_cookie
from interactions_api.routers.inbox import build_state, throttle
from interactions_api.security import csrf_token_for, presession_cookie_name
from interactions_api.services import auth, diffs, inbox, review, sessions
from interactions_api.services.notifications import notify, take_action
from interactions_api.services.outbox import enqueue_build, schedule_build
from interactions_api.services.postfile import image_url
from interactions_api.services.sessions import cookie_name
from interactions_api.services.uploads import add_image, submission_images

router = APIRouter(prefix="/api/inbox/ui", include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "inbox"
BASE = "/api/inbox/ui"


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )
    env.globals["base"] = BASE
    env.filters["label"] = lambda s: str(s).replace("_", " ")
    env.filters["when"] = lambda d: review.aware(d).strftime("%Y-%m-%d %H:%M UTC") if d else ""
    return env


def _page(
    request: Request, settings: Any, user: User | None, name: str, status: int = 200, **ctx: Any
) -> HTMLResponse:
    html = (
        _env()
        .get_template(name)
        .render(
            user=user,
            is_editor=bool(user and user.role >= Role.editor),
            csrf=csrf_token_for(request, settings) or "",
            **ctx,
        )
    )
    return HTMLResponse(html, status_code=status)


def _need_author(user: User | None) -> User:
    if user is None or user.role < Role.author:
        raise Forbidden("Sign in with an author account to use the inbox.", code="role_required")
    return user


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


@router.get("/theme.css")
def theme_css() -> FileResponse:
    """The theme's stylesheet, so the inbox looks like the site."""
    from builder.themes import resolve_theme

    return FileResponse(resolve_theme("default", Path()) / "static" / "css" / "main.css")


@router.get("/inbox.css")
def inbox_css() -> FileResponse:
    """The few rules the inbox adds to the theme."""
    return FileResponse(TEMPLATES / "inbox.css", media_type="text/css")


def _signin_page(
    request: Request, settings: Any, user: User | None, *, status: int, **ctx: Any
) -> HTMLResponse:
    """The sign-in form; a signed-out browser gets the pre-session cookie its token needs."""
    name = presession_cookie_name(settings.cookie_secure)
    pre = request.cookies.get(name) or secrets.token_urlsafe(24)
    request.cookies[name] = pre  # so this page's form already carries the matching token
    response = _page(request, settings, user, "signin.html", status=status, **ctx)
    if user is None:
        response.set_cookie(
            name, pre, max_age=3600, path="/", secure=settings.cookie_secure,
            httponly=True, samesite="lax",
        )  # fmt: skip
    return response


@router.post("/signin", response_class=HTMLResponse)
async def signin(
    request: Request, db: SessionDep, settings: SettingsDep, redis: RedisDep, ip: ClientIP
) -> Response:
    """Sign in with a plain HTML form (no JavaScript); the guard checked its CSRF token."""
    form = await request.form()
    email, password = form.get("email"), form.get("password")
    if not isinstance(email, str) or not isinstance(password, str):
        return _signin_page(
            request, settings, None, status=422, error="Enter your email and password."
        )
    try:
        user = auth.sign_in(db, auth.Context(settings, redis, ip), email=email, password=password)
    except ApiError as exc:
        db.rollback()
        return _signin_page(
            request, settings, None, status=exc.status, error=exc.message, email=email
        )
    old = request.cookies.get(cookie_name(settings.cookie_secure))
    if old:
        sessions.end_session(db, old)
    response = RedirectResponse(f"{BASE}/", status_code=303)
    set_session_cookie(response, settings, sessions.start_session(db, user))
    response.delete_cookie(presession_cookie_name(settings.cookie_secure), path="/")
    return response


@router.post("/signout", response_class=HTMLResponse)
def signout(request: Request, db: SessionDep, settings: SettingsDep) -> Response:
    """End this browser's session from the inbox (form with the session's CSRF token)."""
    token = request.cookies.get(cookie_name(settings.cookie_secure))
    if token:
        sessions.end_session(db, token)
    response = RedirectResponse(f"{BASE}/", status_code=303)
    clear_session_cookie(response, settings)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: OptionalUser, db: SessionDep, settings: SettingsDep) -> Response:
    """The author's submissions with their status, remarks and build."""
    if user is None or user.role < Role.author:
        return _signin_page(request, settings, user, status=401)
    rows = [
        (s, r, build_state(db, s)[0], len(inbox.remarks(db, s)))
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
    if user is None or user.role < Role.editor:
        return _page(request, settings, user, "signin.html", status=403)
    statuses = [status] if status in Status.__members__ else []
    rows = [
        (s, r, build_state(db, s)[0], 0)
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
    limiter: LimiterDep,
    redis: RedisDep,
) -> Response:
    """Preview, or create the draft (and submit it, with the submit button)."""
    author = _need_author(user)
    throttle(limiter, settings, author)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        post = _post_in(form)
        if form.get("do") == "preview":
            return _form(request, settings, author, None, values, post)
        slug = values.get("slug", "").strip() or None
        sub = inbox.create_submission(db, author, post.fields(), slug=slug)
        if form.get("do") == "submit":
            take_action(db, redis, settings, sub, author, "submit", version=sub.version)
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
    state, build = build_state(db, sub)
    against, fields, lines = diffs.diff(db, sub, rev)
    remarks = inbox.remarks(db, sub)
    people = {u.id: u.display_name for u in _people(db, sub, remarks)}
    return _page(
        request,
        settings,
        user,
        "detail.html",
        status=status,
        sub=sub,
        rev=rev,
        html=render_markdown(rev.body).html,
        state=state,
        build=build,
        against=against,
        fields=fields,
        lines=lines,
        remarks=remarks,
        people=people,
        history=inbox.history(db, sub),
        revisions=inbox.revisions(db, sub),
        error=error,
        images=[(n, image_url(sub.slug, n)) for n in submission_images(db, sub)],
        is_author=sub.author_id == user.id,
        may_approve=sub.author_id != user.id
        or review.may_approve_own(db, settings.allow_self_approval),
    )


def _people(db: Any, sub: Submission, remarks: list[Any]) -> list[User]:
    ids = {sub.author_id, *(r.author_id for r in remarks)}
    ids |= {h.actor_id for h in inbox.history(db, sub) if h.actor_id}
    return list(db.exec(select(User).where(col(User.id).in_(ids))).all())


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
    limiter: LimiterDep,
    redis: RedisDep,
) -> Response:
    """Preview, or save a new revision (and submit it)."""
    author = _need_author(user)
    throttle(limiter, settings, author)
    sub = inbox.get_submission(db, submission_id, author)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        post = _post_in(form)
        if form.get("do") == "preview":
            return _form(request, settings, author, sub, values, post)
        inbox.save_revision(db, sub, author, post.fields(), version=_version(form))
        if form.get("do") == "submit":
            take_action(db, redis, settings, sub, author, "submit", version=sub.version)
    except (ApiError, ValidationError) as exc:
        db.rollback()
        return _form(request, settings, author, sub, values, None, exc)
    return RedirectResponse(f"{BASE}/{sub.id}", status_code=303)


@router.post("/{submission_id}/do/{action}", response_class=HTMLResponse)
async def act(
    request: Request,
    submission_id: int,
    action: str,
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    redis: RedisDep,
    limiter: LimiterDep,
) -> Response:
    """Submit, withdraw, request changes, reject, unschedule, approve, remark, restore."""
    actor = _need_author(user)
    form = await request.form()
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
            throttle(limiter, settings, actor)
            upload = form.get("image")
            if not isinstance(upload, UploadFile):
                raise Unprocessable("Choose an image file to upload.", code="invalid")
            data = await upload.read(settings.inbox_image_max_bytes + 1)
            add_image(db, settings, sub, actor, data, filename=upload.filename or "upload")
        else:
            take_action(db, redis, settings, sub, actor, action, version=_version(form), note=note)
    except ApiError as exc:
        db.rollback()
        return _detail(request, db, settings, actor, submission_id, exc.message, exc.status)
    if action == "approve":
        notify(db, redis, settings, sub, inbox.current_revision(db, sub).title, action, note)
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
    entry = review.approve(
        db,
        sub,
        editor,
        version=_version(form),
        site=settings.site_id,
        publish_at=publish_at,
        note=note,
        allow_self=settings.allow_self_approval,
    )
    db.commit()
    if entry.reason == "schedule":
        schedule_build(redis, settings, review.aware(entry.due_at))
    else:
        enqueue_build(redis, settings)

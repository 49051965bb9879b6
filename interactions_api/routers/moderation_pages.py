"""The comment moderation page (`/api/moderation/ui/`): held comments, approve or remove.

Server-rendered plain forms, like the inbox pages whose look and navigation it shares,
until the back office lands. Every form carries the session's CSRF token (checked by the
request guard before any handler runs); every decision goes through the same service
as the JSON API, so the baked pages follow with the coalesced re-publish.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from interactions_api.deps import OptionalUser, SessionDep, SettingsDep
from interactions_api.errors import ApiError
from interactions_api.models.comment import CommentStatus
from interactions_api.models.comment_io import CommentId
from interactions_api.models.user import Role, User
from interactions_api.routers._interactions import NO_STORE, ThreadsDep
from interactions_api.routers.moderation import decide as decide_comment
from interactions_api.security import csrf_token_for
from interactions_api.services import moderation

router = APIRouter(prefix="/api/moderation/ui", include_in_schema=False)
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BASE = "/api/moderation/ui"
INBOX = "/api/inbox/ui"  # the stylesheet, the navigation and the sign-in form live there
QUEUE_LIMIT = 200
_DECISIONS = {"approve": CommentStatus.approved, "remove": CommentStatus.rejected}
_DONE = {"approve": "Approved: the comment is live.", "remove": "Removed."}


@lru_cache(maxsize=1)
def _env() -> Environment:
    loader = FileSystemLoader([TEMPLATES / "moderation", TEMPLATES / "inbox"])
    env = Environment(loader=loader, autoescape=select_autoescape(default=True))
    env.globals.update(base=INBOX, moderation_base=BASE)
    env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M UTC") if d else ""
    return env


def _page(
    request: Request, settings: Any, user: User | None, name: str, status: int, **ctx: Any
) -> HTMLResponse:
    # The same page context as the inbox's: its base template shows the navigation.
    ctx.update(user=user, is_editor=bool(user and user.role >= Role.editor))
    ctx["csrf"] = csrf_token_for(request, settings) or ""
    html = _env().get_template(name).render(ctx)
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def _refusal(request: Request, settings: Any, user: User | None) -> HTMLResponse | None:
    """A sign-in prompt (signed out) or an HTML 403 (not an editor); None for editors."""
    if user is None:
        return _page(request, settings, None, "moderation_signin.html", 401)
    if user.role < Role.editor:
        return _page(request, settings, user, "moderation_denied.html", 403)
    return None


@router.get("/", response_class=HTMLResponse)
def held_comments(
    request: Request,
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    threads: ThreadsDep,
    done: str = "",
) -> Response:
    """The comments waiting for an editor, oldest first, with their article and author."""
    refused = _refusal(request, settings, user)
    if refused is not None:
        return refused
    rows = [
        (comment, author, threads.get(comment.thread_id))
        for comment, author in moderation.queue(db, CommentStatus.pending, limit=QUEUE_LIMIT)
    ]
    total = moderation.queue_size(db, CommentStatus.pending)
    return _page(
        request, settings, user, "moderation.html", 200,
        rows=rows, total=total, notice=_DONE.get(done, ""),
    )  # fmt: skip


@router.post("/{comment_id}/{action}", response_class=HTMLResponse)
def decide(
    request: Request,
    comment_id: CommentId,
    action: Literal["approve", "remove"],
    user: OptionalUser,
    db: SessionDep,
    settings: SettingsDep,
    threads: ThreadsDep,
) -> Response:
    """Approve or remove one comment, then back to the list."""
    refused = _refusal(request, settings, user)
    if refused is not None:
        return refused
    try:
        decide_comment(request, db, threads, comment_id, _DECISIONS[action])
    except ApiError as exc:
        db.rollback()
        return _page(
            request, settings, user, "moderation.html", exc.status,
            rows=[], total=0, error=exc.message,
        )  # fmt: skip
    return RedirectResponse(f"{BASE}/?done={action}", status_code=303)

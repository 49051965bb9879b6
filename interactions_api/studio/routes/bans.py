"""Studio's bans (with reason and duration: create, list, lift), blocked words and the
moderation mode: the rules editors set for comments, through the services the JSON
API uses (`moderation`, `sitesettings`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from interactions_api.config import Settings
from interactions_api.deps import SessionDep, SettingsDep
from interactions_api.errors import ApiError
from interactions_api.models.comment_io import UserId
from interactions_api.models.user import User
from interactions_api.services import moderation, moderation_lists, sitesettings, users
from interactions_api.services.cpu import off_loop
from interactions_api.studio.deps import StudioEditor
from interactions_api.studio.nav import STUDIO
from interactions_api.studio.web import done, page

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=500)]
BANS, WORDS = f"{STUDIO}/bans", f"{STUDIO}/words"
MODES = (
    ("none", "None: every signed-in comment appears at once"),
    ("first", "First: a commenter's first comment waits"),
    ("links", "Links: comments with links wait"),
    ("all", "All: every comment waits"),
)


def _fields(form: Any) -> dict[str, str]:
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


def _bans_page(request: Request, db: Any, settings: Settings, user: User, **ctx: Any) -> Response:
    values = ctx.pop("values", {"days": "7"})
    return page(
        request, settings, user, "studio/moderation/bans.html", section="bans",
        bans=moderation_lists.active_bans(db), values=values, **ctx,
    )  # fmt: skip


@router.get(BANS)
def bans(request: Request, user: StudioEditor, db: SessionDep, settings: SettingsDep) -> Response:
    """The accounts banned now, and a form to ban one by email."""
    return _bans_page(request, db, settings, user)


@router.post(BANS)
async def ban(
    request: Request, user: StudioEditor, db: SessionDep, settings: SettingsDep
) -> Response:
    """Ban an account (by email, or by id from a commenter's page) for some days."""
    form = _fields(await request.form())
    return await off_loop(_ban, request, db, settings, user, form)


def _ban(
    request: Request, db: Any, settings: Settings, editor: User, form: dict[str, str]
) -> Response:
    errors: dict[str, str] = {}
    days = int(form["days"]) if form.get("days", "").isdigit() else 0
    if not 1 <= days <= moderation.MAX_BAN_DAYS:
        errors["days"] = f"Enter a number of days from 1 to {moderation.MAX_BAN_DAYS}."
    try:
        if form.get("user_id", "").isdigit():
            target = users.get(db, int(form["user_id"]))
        else:
            target = moderation_lists.account_by_email(db, form.get("email", ""))
        if not errors:
            moderation.ban(db, editor=editor, user_id=target.id or 0, days=days,
                           reason=form.get("reason", ""))  # fmt: skip
    except ApiError as exc:
        db.rollback()
        errors.setdefault(exc.extra.get("field", "email"), exc.message)
    if errors:
        return _bans_page(request, db, settings, editor, status=422, errors=errors, values=form)
    return done(
        settings, BANS, f"{target.display_name} is banned for {days} day{'s' * (days != 1)}."
    )


@router.post(f"{BANS}/{{user_id}}/lift")
def lift(user_id: UserId, user: StudioEditor, db: SessionDep, settings: SettingsDep) -> Response:
    """End a ban now."""
    target = moderation.ban(db, editor=user, user_id=user_id, days=0, reason="lifted")
    return done(settings, BANS, f"The ban on {target.display_name} is lifted.")


def _words_page(request: Request, db: Any, settings: Settings, user: User, **ctx: Any) -> Response:
    return page(
        request, settings, user, "studio/moderation/words.html", section="words",
        words=moderation.blocked_words(db), modes=MODES,
        mode=sitesettings.moderation_mode(db, settings), **ctx,
    )  # fmt: skip


@router.get(WORDS)
def words(request: Request, user: StudioEditor, db: SessionDep, settings: SettingsDep) -> Response:
    """The blocked words (add, remove) and the moderation mode."""
    return _words_page(request, db, settings, user)


@router.post(WORDS)
def add_word(
    request: Request, user: StudioEditor, db: SessionDep, settings: SettingsDep, word: FormText = ""
) -> Response:
    """Add a blocked word or phrase."""
    word = word.strip()
    if not word:
        return _words_page(request, db, settings, user, status=422, word=word,
                           errors={"word": "Enter a word or phrase to block."})  # fmt: skip
    try:
        moderation.set_blocked_words(db, [*moderation.blocked_words(db), word])
    except ApiError as exc:
        db.rollback()
        return _words_page(request, db, settings, user, status=exc.status, word=word,
                           errors={"word": exc.message})  # fmt: skip
    return done(settings, WORDS, f"Comments with \u201c{word}\u201d now wait for review.")


@router.post(f"{WORDS}/remove")
def remove_word(
    user: StudioEditor, db: SessionDep, settings: SettingsDep, word: FormText = ""
) -> Response:
    """Remove a blocked word."""
    kept = [w for w in moderation.blocked_words(db) if w != word.strip().casefold()]
    moderation.set_blocked_words(db, kept)
    return done(settings, WORDS, f"\u201c{word.strip()}\u201d is no longer blocked.")


@router.post(f"{WORDS}/mode")
def set_mode(
    request: Request, user: StudioEditor, db: SessionDep, settings: SettingsDep, mode: FormText = ""
) -> Response:
    """Change which comments wait for an editor."""
    try:
        sitesettings.update(db, settings, by=user, changes={"moderation": mode})
    except ApiError as exc:
        db.rollback()
        return _words_page(request, db, settings, user, status=exc.status,
                           errors={"mode": exc.message})  # fmt: skip
    return done(settings, WORDS, f"Moderation mode: {mode}.")

"""Reply notifications: mail a comment's author (who opted in) when someone replies.

Opt-in per comment (`Comment.notify_replies`). A mail goes out when a reply becomes
public (posted approved, or approved by an editor), never for one's own reply, never to a
removed comment. Bodies are plain text, so user text never becomes markup. Each mail
carries a one-click unsubscribe link (RFC 8058 `List-Unsubscribe` + `List-Unsubscribe-Post`)
holding a signed, expiring token that names the comment and its author.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import jwt
from redis.exceptions import RedisError
from sqlmodel import Session

from builder.manifest import Thread
from interactions_api import mail
from interactions_api.config import Settings
from interactions_api.models.comment import Comment, CommentStatus
from interactions_api.models.common import utcnow
from interactions_api.models.user import User

log = logging.getLogger("quire.replies")

ALGORITHM = "HS256"
PURPOSE = "unsubscribe-replies"
UNSUBSCRIBE_PATH = "/api/comments/unsubscribe"
QUOTE_MAX = 1000  # characters of the reply quoted in the mail


@dataclass(frozen=True, slots=True)
class ReplyMail:
    """One notification, ready for the mail job."""

    to: str
    subject: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


class InvalidLink(ValueError):
    """An unsubscribe token that is malformed, forged or expired."""


def _key(settings: Settings) -> bytes:
    # Its own key: an unsubscribe token never passes for a sign-in or reset token.
    return hmac.new(settings.secret_key.encode(), b"quire-unsubscribe", hashlib.sha256).digest()


def unsubscribe_token(settings: Settings, comment: Comment) -> str:
    """A signed token turning off reply mails for `comment`, valid for a limited time."""
    now = utcnow()
    claims: dict[str, Any] = {
        "purpose": PURPOSE,
        "sub": str(comment.id),
        "uid": comment.author_id,
        "iat": now,
        "exp": now + timedelta(days=settings.unsubscribe_link_days),
    }
    return jwt.encode(claims, _key(settings), algorithm=ALGORITHM)


def unsubscribe_url(settings: Settings, comment: Comment) -> str:
    """The one-click unsubscribe link of a reply mail."""
    token = quote(unsubscribe_token(settings, comment), safe="")
    return f"{settings.base_url}{UNSUBSCRIBE_PATH}?token={token}"


def read_token(settings: Settings, token: str) -> tuple[int, int]:
    """The (comment id, author id) of a valid token; InvalidLink otherwise."""
    try:
        claims = jwt.decode(
            token,
            _key(settings),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "purpose", "uid"]},
        )
        if claims["purpose"] != PURPOSE:
            raise InvalidLink("wrong purpose")
        return int(claims["sub"]), int(claims["uid"])
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise InvalidLink(str(exc)) from exc


def link_state(db: Session, settings: Settings, token: str) -> str:
    """What an unsubscribe link can still do: "ok" (mails are on), "used" (they are off
    already, or the comment is gone), "expired" or "invalid"."""
    try:
        comment_id, author_id = read_token(settings, token)
    except InvalidLink:
        try:  # the signature is still checked: only a genuine old link reads "expired"
            jwt.decode(token, _key(settings), algorithms=[ALGORITHM],
                       options={"verify_exp": False})  # fmt: skip
        except jwt.InvalidTokenError:
            return "invalid"
        return "expired"
    comment = db.get(Comment, comment_id)
    if comment is None or comment.author_id != author_id or not comment.notify_replies:
        return "used"
    return "ok"


def unsubscribe(db: Session, settings: Settings, token: str) -> Comment | None:
    """Turn reply mails off for the token's comment (idempotent); None if it is gone."""
    comment_id, author_id = read_token(settings, token)
    comment = db.get(Comment, comment_id)
    if comment is None or comment.author_id != author_id:
        return None  # removed, or its author's account was deleted: nothing will be sent
    if comment.notify_replies:
        comment.notify_replies = False
        db.add(comment)
        db.flush()
    return comment


def _one_line(text: str, limit: int = 120) -> str:
    return " ".join(text.split())[:limit]


def reply_mail(
    db: Session, settings: Settings, reply: Comment, thread: Thread | None
) -> ReplyMail | None:
    """The mail a now-public reply sends to its parent's author, if one is due."""
    if reply.parent_id is None or reply.status != CommentStatus.approved.value or reply.deleted:
        return None
    parent = db.get(Comment, reply.parent_id)
    if parent is None or not parent.notify_replies or parent.deleted:
        return None
    if parent.author_id is None or parent.author_id == reply.author_id:
        return None  # nobody to mail, or a reply to oneself
    owner = db.get(User, parent.author_id)
    if owner is None or not owner.email or not owner.mail_replies:
        return None  # gone, or turned reply mails off in their account
    replier = db.get(User, reply.author_id) if reply.author_id is not None else None
    who = _one_line(replier.display_name if replier else reply.author_name or "Someone", 80)
    title = _one_line(thread.title if thread else reply.thread_id)
    page = f"{settings.base_url}{thread.url}" if thread else settings.base_url
    quoted = reply.body if len(reply.body) <= QUOTE_MAX else reply.body[:QUOTE_MAX] + " […]"
    quoted = "\n".join(f"> {line}" for line in quoted.splitlines())
    link = unsubscribe_url(settings, parent)
    body = (
        f"Hello {_one_line(owner.display_name, 80)},\n\n"
        f"{who} replied to your comment on “{title}”:\n\n{quoted}\n\n"
        f"Read and answer it here:\n{page}#comment-{reply.id}\n\n"
        f"You get this mail because you asked to hear about replies to that comment.\n"
        f"Stop mails about it (this link works for {settings.unsubscribe_link_days} days):\n"
        f"{link}\n"
    )
    headers = {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return ReplyMail(owner.email, f"New reply to your comment on {title}", body, headers)


def notify_reply(
    db: Session, redis: Any, settings: Settings, reply: Comment, thread: Thread | None
) -> bool:
    """Queue the reply mail, if one is due; mail is best effort (failures are logged)."""
    message = reply_mail(db, settings, reply, thread)
    if message is None:
        return False
    try:
        mail.queue_mail(
            redis,
            settings,
            to=message.to,
            subject=message.subject,
            body=message.body,
            headers=message.headers,
        )
    except (RedisError, OSError) as exc:
        log.warning("reply mail for comment %s not queued: %s", reply.id, exc)
        return False
    return True

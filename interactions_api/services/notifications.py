"""Mail about submissions: editors hear of new work, authors of decisions and publishing.

Plain-text bodies only (user text never becomes markup); handed to B1's mail job, so a
slow SMTP server never slows a request; while Redis is away the mail waits in the spool
(see interactions_api.mailspool) and the transition goes ahead.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from interactions_api import mail
from interactions_api.config import Settings
from interactions_api.models.inbox import Submission
from interactions_api.models.user import Role, User

_TO_AUTHOR = {
    "request_changes": ("Changes requested: {title}", "An editor asked for changes to"),
    "reject": ("Not accepted: {title}", "An editor did not accept"),
    "approve": ("Approved: {title}", "An editor approved"),
    "published": ("Published: {title}", "Your article is live:"),
}


def _one_line(text: str) -> str:
    return " ".join(text.split())[:150]


def messages(
    db: Session, settings: Settings, sub: Submission, title: str, action: str, note: str = ""
) -> list[tuple[str, str, str]]:
    """(to, subject, body) of every mail an action sends."""
    link = f"{settings.base_url}/studio/submissions/{sub.id}"
    title = _one_line(title)
    if action == "submit":
        editors = db.exec(
            select(User).where(col(User.role) >= Role.editor, col(User.mail_review).is_(True))
        ).all()
        body = f"A submission is waiting for review:\n\n  {title}\n\n{link}\n"
        return [(e.email, f"To review: {title}", body) for e in editors]
    if action not in _TO_AUTHOR:
        return []
    author = db.get(User, sub.author_id)
    if author is None:
        return []
    subject, lead = _TO_AUTHOR[action]
    where = sub.live_url if action == "published" and sub.live_url else link
    body = f"Hello {author.display_name},\n\n{lead}\n\n  {title}\n\n{where}\n"
    if note:
        body += f"\nThe editor wrote:\n\n{note}\n"
    return [(author.email, subject.format(title=title), body)]


def notify(
    db: Session,
    redis: Any,
    settings: Settings,
    sub: Submission,
    title: str,
    action: str,
    note: str = "",
) -> None:
    """Queue the mails of an action (spooled while Redis is away)."""
    for to, subject, body in messages(db, settings, sub, title, action, note):
        mail.queue_mail(redis, settings, to=to, subject=subject, body=body)

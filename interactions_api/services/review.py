"""The review state machine: who may move a submission from which status to which.

Every transition checks the status (409 `invalid_transition` naming what is allowed), the
caller's role, and the version the caller saw (409 `version_conflict`), and is recorded
in the history. Approval writes the publish it owes into the outbox in the same
transaction, so an approval can never exist without its publish.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from interactions_api.errors import Conflict, Forbidden, Unprocessable
from interactions_api.models.common import utcnow
from interactions_api.models.inbox import OutboxEntry, Status, Submission
from interactions_api.models.user import Role, User
from interactions_api.services.inbox import (
    add_remark,
    bump,
    current_revision,
    ensure_version,
    is_editor,
    record,
    revision_fields,
)
from interactions_api.services.postfile import check_post, render_post

S = Status


@dataclass(frozen=True, slots=True)
class Transition:
    """An action: the statuses it starts from, where it leads, and who may take it."""

    sources: frozenset[Status]
    target: Status
    editor: bool  # False: the submission's author


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(frozenset({S.draft, S.changes_requested}), S.in_review, False),
    "withdraw": Transition(frozenset({S.in_review}), S.draft, False),
    "request_changes": Transition(frozenset({S.in_review}), S.changes_requested, True),
    "reject": Transition(frozenset({S.in_review}), S.rejected, True),
    "approve": Transition(frozenset({S.in_review}), S.approved, True),
    "unschedule": Transition(frozenset({S.scheduled}), S.in_review, True),
}


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check(db: Session, sub: Submission, user: User, action: str, version: int) -> Transition:
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise Unprocessable(f"Unknown action {action!r}.", code="invalid_action")
    if rule.editor and not is_editor(user):
        raise Forbidden(f"Only an editor can {action.replace('_', ' ')}.", code="role_required")
    if not rule.editor and sub.author_id != user.id:
        raise Forbidden(f"Only the author can {action}.", code="not_author")
    # A stale page first: "someone changed it" explains more than "not allowed now".
    ensure_version(db, sub, version)
    status = Status(sub.status)
    if status not in rule.sources:
        allowed = " or ".join(sorted(s.value.replace("_", " ") for s in rule.sources))
        raise Conflict(
            f"Cannot {action.replace('_', ' ')} a submission that is "
            f"{status.value.replace('_', ' ')}; only one that is {allowed}.",
            code="invalid_transition",
            status=status.value,
        )
    return rule


def transition(
    db: Session, sub: Submission, user: User, action: str, *, version: int, note: str = ""
) -> Submission:
    """Take a non-publishing action (submit, withdraw, request changes, reject, unschedule)."""
    if action == "approve":
        raise Unprocessable("Use approve() to approve.", code="invalid_action")
    rule = _check(db, sub, user, action, version)
    before = sub.status
    bump(db, sub, version, user)
    sub.status = rule.target.value
    if action == "unschedule":
        sub.approved_revision_id, sub.publish_at = None, None
        _cancel_outbox(db, sub)
    record(db, sub, user, action, from_status=before, to_status=sub.status, detail=note)
    if note and action in {"request_changes", "reject"}:
        add_remark(db, sub, user, note)  # the note is also a remark the author can answer
    return sub


def approve(
    db: Session,
    sub: Submission,
    editor: User,
    *,
    version: int,
    site: str,
    publish_at: datetime | None = None,
    note: str = "",
    allow_self: bool | None = None,
) -> OutboxEntry:
    """Approve the current revision: now, or at `publish_at`; owes a publish (the outbox).

    `allow_self` is the site's `allow_self_approval` (see `may_approve_own`).
    """
    _check(db, sub, editor, "approve", version)
    if sub.author_id == editor.id and not may_approve_own(db, allow_self):
        raise Forbidden(
            "You cannot approve your own submission while the site has other editors; "
            "ask another editor to review it.",
            code="self_approval",
        )
    rev = current_revision(db, sub)
    now = utcnow()
    # An author's future date is a schedule too: the builder hides future posts anyway.
    when = aware(publish_at) if publish_at else (aware(rev.date) if rev.date else None)
    scheduled = when is not None and when > now
    date = when if when is not None else now
    errors = check_post(render_post(revision_fields(rev), slug=sub.slug, date=date), slug=sub.slug)
    if errors:
        raise Unprocessable(
            "The article would not build: " + "; ".join(d.message for d in errors),
            code="invalid_post",
        )
    before = sub.status
    bump(db, sub, version, editor)
    due = when if scheduled else None
    sub.status = (S.scheduled if due else S.approved).value
    sub.approved_revision_id = rev.id
    sub.publish_at = due
    entry = OutboxEntry(
        site=site,
        submission_id=sub.id,
        revision_id=rev.id,
        actor_id=editor.id,
        reason="schedule" if due else "approve",
        due_at=due or now,
    )
    db.add(entry)
    detail = f"revision {rev.number}" + (f", to publish at {due:%Y-%m-%d %H:%M} UTC" if due else "")
    detail = f"{detail}. {note}".strip(". ") if note else detail
    record(db, sub, editor, "approve", from_status=before, to_status=sub.status, detail=detail)
    db.flush()
    return entry


def may_approve_own(db: Session, allow_self: bool | None) -> bool:
    """Whether an editor may approve their own submission under the site's setting."""
    # Unset: only while the site has a single editor, who has nobody else to ask.
    if allow_self is not None:
        return allow_self
    editors = db.exec(
        select(func.count()).select_from(User).where(col(User.role) >= Role.editor)
    ).one()
    return int(editors) <= 1


def _cancel_outbox(db: Session, sub: Submission) -> None:
    for entry in db.exec(
        select(OutboxEntry).where(
            OutboxEntry.submission_id == sub.id, col(OutboxEntry.done_at).is_(None)
        )
    ).all():
        entry.done_at, entry.outcome = utcnow(), "canceled"
        db.add(entry)

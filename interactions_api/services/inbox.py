"""Submissions and revisions: create, edit with an optimistic version check, read.

The review transitions (submit, approve, ...) live in `review.py`; both share `bump`, the
one place a submission's version moves, so no change can be made from a stale copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from builder.markdown import slugify
from interactions_api.errors import Conflict, Forbidden, NotFound, Unprocessable
from interactions_api.models.common import utcnow
from interactions_api.models.inbox import (
    BuildRecord,
    HistoryEntry,
    OutboxEntry,
    PostFields,
    ReviewRemark,
    Revision,
    Status,
    Submission,
)
from interactions_api.models.user import Role, User
from interactions_api.services.postfile import SLUG, check_post, render_post

EDITABLE = frozenset({Status.draft, Status.changes_requested, Status.published})


def is_editor(user: User) -> bool:
    """Editors and admins review; authors only see and change their own submissions."""
    return user.role >= Role.editor


def get_submission(db: Session, submission_id: int, user: User) -> Submission:
    """A submission the caller may see (its author, or an editor), else 404."""
    sub = db.get(Submission, submission_id)
    if sub is None or (sub.author_id != user.id and not is_editor(user)):
        raise NotFound(f"There is no submission {submission_id}.", code="submission_not_found")
    return sub


def current_revision(db: Session, sub: Submission) -> Revision:
    """The revision being written or reviewed."""
    rev = db.get(Revision, sub.current_revision_id) if sub.current_revision_id else None
    if rev is None:  # pragma: no cover - every submission is created with a revision
        raise NotFound("The submission has no text.", code="revision_not_found")
    return rev


def revision_fields(rev: Revision) -> PostFields:
    """The author's fields of a revision."""
    return PostFields(
        title=rev.title,
        body=rev.body,
        tags=tuple(rev.tags),
        summary=rev.summary,
        cover_src=rev.cover_src,
        cover_alt=rev.cover_alt,
        date=rev.date,
        category=rev.category,
        series=rev.series,
        canonical=rev.canonical,
        toc=rev.toc,
    )


def bump(db: Session, sub: Submission, expected: int, actor: User | None) -> None:
    """Move the version on, refusing (409 version_conflict) if it is not `expected`."""
    assert sub.id is not None
    ensure_version(db, sub, expected)
    now = utcnow()
    result = db.execute(
        update(Submission)
        .where(col(Submission.id) == sub.id, col(Submission.version) == expected)
        .values(version=expected + 1, updated_at=now)
    )
    if getattr(result, "rowcount", 0) != 1:  # another transaction got there first
        db.refresh(sub)
        ensure_version(db, sub, expected)
    sub.version, sub.updated_at = expected + 1, now
    sub.updated_by = actor.id if actor else None


def ensure_version(db: Session, sub: Submission, expected: int) -> None:
    """Refuse (409 version_conflict, saying who changed it and when) a stale version."""
    if sub.version == expected:
        return
    who = db.get(User, sub.updated_by) if sub.updated_by else None
    by = f" by {who.display_name}" if who else ""
    raise Conflict(
        f"This submission was changed{by} at {sub.updated_at:%Y-%m-%d %H:%M} UTC after you "
        f"opened it (you edited version {expected}, it is now version {sub.version}). "
        "Reload it to see the changes, then make yours again; nothing of yours was saved.",
        code="version_conflict",
        current_version=sub.version,
    )


def record(
    db: Session,
    sub: Submission,
    actor: User | None,
    action: str,
    *,
    from_status: str = "",
    to_status: str = "",
    detail: str = "",
) -> None:
    """Add one line to the submission's history."""
    assert sub.id is not None
    db.add(
        HistoryEntry(
            submission_id=sub.id,
            actor_id=actor.id if actor else None,
            action=action,
            from_status=from_status,
            to_status=to_status,
            detail=detail,
        )
    )


def _need_title(fields: PostFields) -> None:
    if not fields.title.strip():
        raise Unprocessable(
            "The title is empty.",
            code="invalid_post",
            fields=[{"field": "title", "message": "Give the article a title."}],
        )


def _validate(fields: PostFields, slug: str) -> None:
    _need_title(fields)
    text = render_post(fields, slug=slug, date=fields.date or utcnow())
    errors = check_post(text, slug=slug)
    if errors:
        raise Unprocessable(
            "The article would not build: " + "; ".join(f"{d.message} {d.hint}" for d in errors),
            code="invalid_post",
            fields=[
                {"field": d.field or "body", "message": f"{d.message} {d.hint}".strip()}
                for d in errors
            ],
        )


def _add_revision(db: Session, sub: Submission, fields: PostFields, user: User) -> Revision:
    assert sub.id is not None and user.id is not None
    last = db.exec(
        select(Revision.number)
        .where(Revision.submission_id == sub.id)
        .order_by(col(Revision.number).desc())
    ).first()
    rev = Revision(
        submission_id=sub.id,
        number=(last or 0) + 1,
        title=fields.title.strip(),
        tags=list(fields.tags),
        summary=fields.summary,
        cover_src=fields.cover_src,
        cover_alt=fields.cover_alt,
        date=fields.date,
        category=fields.category,
        series=fields.series,
        canonical=fields.canonical,
        toc=fields.toc,
        body=fields.body,
        created_by=user.id,
    )
    db.add(rev)
    db.flush()
    sub.current_revision_id = rev.id
    return rev


def create_submission(
    db: Session, author: User, fields: PostFields, *, slug: str | None = None
) -> Submission:
    """A new draft with its first revision; the slug comes from the title unless given."""
    assert author.id is not None
    _need_title(fields)  # before the slug made from it: "no title" says what to fix
    slug = (slug or slugify(fields.title)).strip()
    if not SLUG.match(slug):
        raise Unprocessable(
            f"The slug {slug!r} cannot be used in a URL.",
            code="invalid_slug",
            fields=[{"field": "slug", "message": "Use lowercase letters, digits and hyphens."}],
        )
    if db.exec(select(Submission.id).where(Submission.slug == slug)).first() is not None:
        raise Conflict(f"The slug {slug!r} is taken; choose another.", code="slug_taken")
    _validate(fields, slug)
    sub = Submission(author_id=author.id, slug=slug, status=Status.draft.value)
    db.add(sub)
    db.flush()
    _add_revision(db, sub, fields, author)
    record(db, sub, author, "created", to_status=Status.draft.value, detail="revision 1")
    db.flush()
    return sub


def save_revision(
    db: Session, sub: Submission, user: User, fields: PostFields, *, version: int
) -> Revision:
    """A new revision by the author; editing a published article starts a new review."""
    if sub.author_id != user.id:
        raise Forbidden("Only the author edits a submission.", code="not_author")
    status = Status(sub.status)
    if status not in EDITABLE:
        raise Conflict(
            f"A submission that is {status.value.replace('_', ' ')} cannot be edited.",
            code="invalid_transition",
        )
    _validate(fields, sub.slug)
    bump(db, sub, version, user)
    rev = _add_revision(db, sub, fields, user)
    sub.status = Status.draft.value
    record(
        db,
        sub,
        user,
        "revised",
        from_status=status.value,
        to_status=Status.draft.value,
        detail=f"revision {rev.number}",
    )
    return rev


def restore_revision(
    db: Session, sub: Submission, user: User, number: int, *, version: int
) -> Revision:
    """Start a new revision from an earlier one (it then goes through review again)."""
    old = db.exec(
        select(Revision).where(Revision.submission_id == sub.id, Revision.number == number)
    ).first()
    if old is None:
        raise NotFound(f"There is no revision {number}.", code="revision_not_found")
    rev = save_revision(db, sub, user, revision_fields(old), version=version)
    record(db, sub, user, "restored", detail=f"revision {rev.number} restores revision {number}")
    return rev


def add_remark(
    db: Session, sub: Submission, user: User, body: str, *, parent_id: int | None = None
) -> ReviewRemark:
    """An editor's remark, or an answer by the author or an editor."""
    assert sub.id is not None and user.id is not None
    body = body.strip()
    if not body or len(body) > 10_000:
        raise Unprocessable("A remark needs between 1 and 10000 characters.", code="invalid")
    if parent_id is not None:
        parent = db.get(ReviewRemark, parent_id)
        if parent is None or parent.submission_id != sub.id:
            raise NotFound(f"There is no remark {parent_id} here.", code="remark_not_found")
    elif not is_editor(user):
        raise Forbidden("Authors answer the editors' remarks.", code="role_required")
    rev = current_revision(db, sub)
    remark = ReviewRemark(
        submission_id=sub.id,
        revision_number=rev.number,
        parent_id=parent_id,
        author_id=user.id,
        body=body,
    )
    db.add(remark)
    record(db, sub, user, "remark", detail=body[:200])
    db.flush()
    return remark


def list_submissions(
    db: Session,
    user: User,
    *,
    mine: bool = False,
    status: Sequence[str] = (),
    author_id: int | None = None,
    q: str = "",
) -> list[tuple[Submission, Revision]]:
    """Submissions with their current revision: the caller's own, or an editor's queue."""
    query = select(Submission, Revision).where(
        col(Submission.current_revision_id) == col(Revision.id)
    )
    if mine or not is_editor(user):
        query = query.where(Submission.author_id == user.id)
    if status:
        query = query.where(col(Submission.status).in_(list(status)))
    if author_id is not None:
        query = query.where(Submission.author_id == author_id)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(col(Revision.title).ilike(pattern), col(Submission.slug).ilike(pattern))
        )
    query = query.order_by(col(Submission.updated_at).desc())
    return [(s, r) for s, r in db.exec(query).all()]


def revisions(db: Session, sub: Submission) -> list[Revision]:
    """Every revision, oldest first."""
    return list(
        db.exec(
            select(Revision).where(Revision.submission_id == sub.id).order_by(col(Revision.number))
        ).all()
    )


def remarks(db: Session, sub: Submission) -> list[ReviewRemark]:
    """Every remark, oldest first (the caller threads them by parent_id)."""
    return list(
        db.exec(
            select(ReviewRemark)
            .where(ReviewRemark.submission_id == sub.id)
            .order_by(col(ReviewRemark.id))
        ).all()
    )


def history(db: Session, sub: Submission) -> list[HistoryEntry]:
    """Every transition and event, oldest first."""
    return list(
        db.exec(
            select(HistoryEntry)
            .where(HistoryEntry.submission_id == sub.id)
            .order_by(col(HistoryEntry.id))
        ).all()
    )


def build_state(db: Session, sub: Submission) -> tuple[OutboxEntry | None, BuildRecord | None]:
    """The newest publish owed for this submission and the build that handled it."""
    entry = db.exec(
        select(OutboxEntry)
        .where(OutboxEntry.submission_id == sub.id)
        .order_by(col(OutboxEntry.id).desc())
    ).first()
    build = db.get(BuildRecord, entry.build_id) if entry and entry.build_id else None
    return entry, build


def next_scheduled(db: Session, site: str) -> datetime | None:
    """When the next scheduled publish of the site is due."""
    return db.exec(
        select(OutboxEntry.due_at)
        .where(OutboxEntry.site == site, col(OutboxEntry.done_at).is_(None))
        .where(col(OutboxEntry.due_at) > utcnow())
        .order_by(col(OutboxEntry.due_at))
    ).first()

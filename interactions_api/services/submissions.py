"""What the writing and review screens list about submissions: how many are in each
status, who has written any, and the tags the site's published articles use."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from interactions_api.models.inbox import Revision, Status, Submission


def status_counts(db: Session) -> dict[str, int]:
    """The number of submissions in each status (every status, zero included)."""
    rows = db.exec(select(Submission.status, func.count()).group_by(Submission.status)).all()
    found = {str(status): int(count) for status, count in rows}
    return {s.value: found.get(s.value, 0) for s in Status}


def author_ids(db: Session) -> list[int]:
    """Every account that has a submission."""
    return [int(i) for i in db.exec(select(Submission.author_id).distinct()).all()]


def known_tags(db: Session) -> list[str]:
    """The tags of the site's published articles, for completing an author's tags."""
    published = select(Submission.published_revision_id).where(
        col(Submission.published_revision_id).is_not(None)
    )
    rows = db.exec(select(Revision.tags).where(col(Revision.id).in_(published))).all()
    return sorted({t for tags in rows for t in tags or ()}, key=str.casefold)

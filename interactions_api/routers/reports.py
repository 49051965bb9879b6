"""Readers report comments; editors list the reported ones (their decision goes through
the moderation routes and closes the reports)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from interactions_api.deps import CurrentUser, Editor, SessionDep, no_store
from interactions_api.errors import error_responses
from interactions_api.models.comment_io import CommentId
from interactions_api.models.moderation_io import (
    ReportedComment,
    ReportedOut,
    ReportIn,
    ReportsOut,
)
from interactions_api.routers._interactions import role_doc
from interactions_api.services import reports

router = APIRouter(tags=["moderation"], dependencies=[Depends(no_store)])


@router.post(
    "/api/comments/{comment_id}/report",
    response_model=ReportedOut,
    status_code=202,
    responses=error_responses(401, 403, 404, 415, 422),
    openapi_extra=role_doc("reader"),
)
def report_comment(
    comment_id: CommentId, payload: ReportIn, db: SessionDep, user: CurrentUser
) -> ReportedOut:
    """Report a published comment to the moderators; it stays up until an editor decides.
    Signed in."""
    reports.report(db, user=user, comment_id=comment_id, reason=payload.reason)
    return ReportedOut()


@router.get(
    "/api/moderation/reports",
    response_model=ReportsOut,
    responses=error_responses(401, 403),
    openapi_extra=role_doc("editor"),
)
def reported_comments(db: SessionDep, _editor: Editor) -> ReportsOut:
    """Published comments with open reports, the most reported first. Role: editor."""
    found = reports.reported(db)
    return ReportsOut(
        total=reports.reported_count(db),
        comments=[
            ReportedComment(
                id=r.comment.id or 0,
                thread=r.comment.thread_id,
                body=r.comment.body,
                author=r.author.display_name if r.author else r.comment.author_name or None,
                reports=r.count,
                reasons=r.reasons,
            )
            for r in found
        ],
    )

"""The inbox's JSON API (`/api/inbox`): the same services the HTML pages use.

Authors create and revise submissions and answer remarks; editors review, remark,
request changes, reject and approve. Every change carries the `version` the caller saw.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, UploadFile

from interactions_api.deps import Author, Editor, GuardDep, RedisDep, SessionDep, SettingsDep
from interactions_api.errors import NotFound, error_responses
from interactions_api.models.inbox import Submission
from interactions_api.models.inbox_io import (
    ActionIn,
    ApproveIn,
    ApproveOut,
    BuildOut,
    DetailOut,
    DiffOut,
    HistoryOut,
    ImageOut,
    PostIn,
    PreviewOut,
    RemarkIn,
    RemarkOut,
    RestoreIn,
    RevisionIn,
    RevisionOut,
    SubmissionCreate,
    SubmissionOut,
)
from interactions_api.services import diffs, inbox, publishing
from interactions_api.services.cpu import off_loop
from interactions_api.services.postfile import image_url
from interactions_api.services.uploads import add_image, submission_images

router = APIRouter(prefix="/api/inbox", tags=["inbox"])
ERRORS = error_responses(401, 403, 404, 409, 422, 429)


def _out(db: SessionDep, sub: Submission) -> SubmissionOut:
    return SubmissionOut.of(sub, inbox.current_revision(db, sub))


@router.post("/submissions", status_code=201, responses=ERRORS)
def create(body: SubmissionCreate, user: Author, db: SessionDep, guard: GuardDep) -> SubmissionOut:
    """Start a submission (a draft with its first revision)."""
    guard.inbox_write(user).enforce()
    sub = inbox.create_submission(db, user, body.fields(), slug=body.slug)
    return _out(db, sub)


@router.get("/submissions", responses=ERRORS)
def list_submissions(
    user: Author,
    db: SessionDep,
    status: Annotated[list[str] | None, Query()] = None,
    mine: bool = False,
    author: int | None = None,
    q: Annotated[str, Query(max_length=100)] = "",
) -> list[SubmissionOut]:
    """The caller's submissions, or (editors) the queue, filtered."""
    rows = inbox.list_submissions(db, user, mine=mine, status=status or (), author_id=author, q=q)
    return [SubmissionOut.of(s, r) for s, r in rows]


@router.get("/submissions/{submission_id}", responses=ERRORS)
def detail(submission_id: int, user: Author, db: SessionDep) -> DetailOut:
    """A submission with its remarks, history and build status."""
    sub = inbox.get_submission(db, submission_id, user)
    state, build = publishing.build_state(db, sub)
    return DetailOut(
        submission=_out(db, sub),
        revisions=[r.number for r in inbox.revisions(db, sub)],
        remarks=[RemarkOut.of(r) for r in inbox.remarks(db, sub)],
        history=[HistoryOut.of(h) for h in inbox.history(db, sub)],
        build=state,
        last_build=BuildOut.of(build) if build else None,
        images=[ImageOut(name=n, url=image_url(sub.slug, n)) for n in submission_images(db, sub)],
    )


@router.get("/submissions/{submission_id}/revisions/{number}", responses=ERRORS)
def revision(submission_id: int, number: int, user: Author, db: SessionDep) -> RevisionOut:
    """One earlier revision."""
    sub = inbox.get_submission(db, submission_id, user)
    for rev in inbox.revisions(db, sub):
        if rev.number == number:
            return RevisionOut.of(rev)
    raise NotFound(f"There is no revision {number}.", code="revision_not_found")


@router.put("/submissions/{submission_id}", responses=ERRORS)
def revise(
    submission_id: int,
    body: RevisionIn,
    user: Author,
    db: SessionDep,
    guard: GuardDep,
) -> SubmissionOut:
    """Save a new revision (made from `version`)."""
    guard.inbox_write(user).enforce()
    sub = inbox.get_submission(db, submission_id, user)
    inbox.save_revision(db, sub, user, body.fields(), version=body.version)
    return _out(db, sub)


@router.post("/submissions/{submission_id}/restore", responses=ERRORS)
def restore(submission_id: int, body: RestoreIn, user: Author, db: SessionDep) -> SubmissionOut:
    """Start a new revision from an earlier one."""
    sub = inbox.get_submission(db, submission_id, user)
    inbox.restore_revision(db, sub, user, body.number, version=body.version)
    return _out(db, sub)


@router.post("/submissions/{submission_id}/actions/{action}", responses=ERRORS)
def act(
    submission_id: int,
    action: str,
    body: ActionIn,
    user: Author,
    db: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> SubmissionOut:
    """submit, withdraw (author); request_changes, reject, unschedule (editor)."""
    sub = inbox.get_submission(db, submission_id, user)
    publishing.take_action(
        db, redis, settings, sub, user, action, version=body.version, note=body.note
    )
    return _out(db, sub)


@router.post("/submissions/{submission_id}/approve", responses=ERRORS)
def approve(
    submission_id: int,
    body: ApproveIn,
    user: Editor,
    db: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> ApproveOut:
    """Approve now or at `publish_at`; the build is queued, or pending if Redis is down."""
    sub = inbox.get_submission(db, submission_id, user)
    state = publishing.approve(
        db,
        redis,
        settings,
        sub,
        user,
        version=body.version,
        publish_at=body.publish_at,
        note=body.note,
    )
    return ApproveOut(submission=_out(db, sub), build=state)


@router.post("/submissions/{submission_id}/remarks", status_code=201, responses=ERRORS)
def remark(submission_id: int, body: RemarkIn, user: Author, db: SessionDep) -> RemarkOut:
    """Add a remark (editors) or an answer (the author, an editor)."""
    sub = inbox.get_submission(db, submission_id, user)
    return RemarkOut.of(inbox.add_remark(db, sub, user, body.body, parent_id=body.parent_id))


@router.get("/submissions/{submission_id}/diff", responses=ERRORS)
def diff(submission_id: int, user: Author, db: SessionDep) -> DiffOut:
    """Field-by-field and line-by-line changes against the published revision."""
    sub = inbox.get_submission(db, submission_id, user)
    against, fields, lines = diffs.diff(db, sub, inbox.current_revision(db, sub))
    return DiffOut(against=against, fields=fields, body=lines)


@router.post("/preview", responses=ERRORS)
def preview(body: PostIn, user: Author, guard: GuardDep) -> PreviewOut:
    """Render a body with the builder's renderer, and list what would stop it building."""
    guard.inbox_write(user).enforce()
    html, errors = diffs.preview(body.fields())
    return PreviewOut(html=html, errors=errors)


@router.post(
    "/submissions/{submission_id}/images",
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 413, 422),
)
async def upload_image(
    submission_id: int,
    file: UploadFile,
    user: Author,
    db: SessionDep,
    settings: SettingsDep,
    guard: GuardDep,
) -> ImageOut:
    """Upload an image (checked, re-encoded, EXIF stripped); any revision may place it."""
    guard.inbox_write(user).enforce()
    sub = inbox.get_submission(db, submission_id, user)
    data = await file.read(settings.inbox_image_max_bytes + 1)
    name = await off_loop(
        add_image, db, settings, sub, user, data, filename=file.filename or "upload"
    )
    return ImageOut(name=name, url=image_url(sub.slug, name))


@router.get("/builds", responses=ERRORS)
def builds(user: Editor, db: SessionDep, limit: int = Query(20, ge=1, le=100)) -> list[BuildOut]:
    """The newest builds of the site."""
    return [BuildOut.of(b) for b in publishing.recent_builds(db, limit)]

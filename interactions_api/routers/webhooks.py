"""Push events from git: the post-receive hook, GitHub, GitLab and Gitea (`/api/hooks/push`)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from pydantic import BaseModel

from interactions_api.deps import RedisDep, SessionDep, SettingsDep
from interactions_api.errors import Unprocessable, error_responses
from interactions_api.services import publishing
from interactions_api.services.contentrepo import open_repo
from interactions_api.services.webhooks import (
    INBOX_PREFIX,
    parse_push,
    submit_branch,
    verify_signature,
)

router = APIRouter(prefix="/api/hooks", tags=["inbox"])


class PushOut(BaseModel):
    """What the push caused; `message` is printed to the pusher by the hook."""

    message: str
    build: str = "none"
    submissions: list[int] = []
    entry: int | None = None  # the publish owed; the hook asks /status about it


class StatusOut(BaseModel):
    """Whether the build a push caused has run, and what the builder said."""

    done: bool
    outcome: str
    errors: list[str] = []


@router.post("/push", status_code=202, responses=error_responses(401, 403, 415, 422))
async def push(request: Request, db: SessionDep, redis: RedisDep, settings: SettingsDep) -> PushOut:
    """A signed push event: build the publishing branch, or submit an inbox branch."""
    body = await request.body()
    verify_signature(settings, request.headers, body)
    try:
        event = parse_push(json.loads(body))
    except json.JSONDecodeError as exc:
        raise Unprocessable("The push event is not JSON.", code="invalid_event") from exc
    repo = open_repo(settings)
    if event.ref == repo.ref:
        entry_id, state = publishing.publish_now(db, redis, settings, "push")
        return PushOut(message=f"build {state}", build=state, entry=entry_id)
    if event.ref.startswith(INBOX_PREFIX):
        subs = submit_branch(db, repo, event)
        publishing.submitted(db, redis, settings, subs)
        slugs = ", ".join(s.slug for s in subs) or "no posts changed"
        return PushOut(
            message=f"submitted for review: {slugs}",
            submissions=[s.id for s in subs if s.id is not None],
        )
    return PushOut(message=f"{event.ref} is neither {repo.ref} nor {INBOX_PREFIX}<name>: ignored")


@router.post("/status", responses=error_responses(401, 403, 404, 415, 422))
async def status(request: Request, db: SessionDep, settings: SettingsDep) -> StatusOut:
    """Signed like a push (`{"entry": id}`): the result of the build a push caused."""
    body = await request.body()
    verify_signature(settings, request.headers, body)
    try:
        entry_id = json.loads(body).get("entry")
    except (json.JSONDecodeError, AttributeError) as exc:
        raise Unprocessable('Send {"entry": <id>}.', code="invalid_event") from exc
    entry, build = publishing.publish_result(db, entry_id)
    return StatusOut(
        done=entry.done_at is not None,
        outcome=entry.outcome,
        errors=list(build.errors) if build else [],
    )

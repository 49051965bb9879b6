"""Site administration for admins (`/api/admin/*`): invitations, the site settings kept
in the database and the platform's health."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from interactions_api.deps import Admin, RedisDep, SessionDep, SettingsDep, get_engine, no_store
from interactions_api.errors import error_responses
from interactions_api.models.admin_io import (
    AdminUserOut,
    BuildSummary,
    HealthOut,
    InviteIn,
    SettingsIO,
)
from interactions_api.models.inbox import BuildRecord
from interactions_api.models.user import Role
from interactions_api.services import health, invitations, sitesettings

router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[Depends(no_store)])


@router.post(
    "/invitations",
    response_model=AdminUserOut,
    status_code=201,
    responses=error_responses(401, 403, 409, 415, 422),
)
def invite(
    payload: InviteIn, admin: Admin, db: SessionDep, redis: RedisDep, settings: SettingsDep
) -> AdminUserOut:
    """Invite someone by email with a role: the mailed link lets them choose a password
    (valid 7 days). Inviting a pending address again sends a new link. Admin only."""
    user = invitations.invite(
        db, redis, settings, by=admin, email=payload.email, display_name=payload.display_name,
        role=Role[payload.role], commit=db.commit,
    )  # fmt: skip
    return AdminUserOut.of(user)


@router.get("/settings", response_model=SettingsIO, responses=error_responses(401, 403))
def get_settings(db: SessionDep, settings: SettingsDep, _admin: Admin) -> SettingsIO:
    """The site settings in force (the database's, else the QUIRE_ defaults). Admin only."""
    return _settings_out(sitesettings.current(db, settings))


@router.patch("/settings", response_model=SettingsIO, responses=error_responses(401, 403, 415, 422))
def patch_settings(
    payload: SettingsIO, db: SessionDep, settings: SettingsDep, admin: Admin
) -> SettingsIO:
    """Change some site settings (the fields given); in force at once. Admin only."""
    changes = {k: str(v) for k, v in payload.model_dump(exclude_none=True).items()}
    return _settings_out(sitesettings.update(db, settings, by=admin, changes=changes))


def _settings_out(config: sitesettings.SiteConfig) -> SettingsIO:
    return SettingsIO(
        site_name=config.site_name, moderation=config.moderation,
        self_approval=config.self_approval,
    )  # fmt: skip


@router.get("/health", response_model=HealthOut, responses=error_responses(401, 403))
def platform_health(
    request: Request, db: SessionDep, redis: RedisDep, settings: SettingsDep, _admin: Admin
) -> HealthOut:
    """Database, Redis, the workers alive, the last build and publish. Admin only."""
    probe = health.probe(get_engine(request), redis)
    pub = health.publishing(db, settings.site_id)
    return HealthOut(
        database=probe.database, redis=probe.redis, worker=probe.worker,
        workers=list(probe.workers), publishes_owed=pub.owed,
        last_build=_build(pub.last_build), last_publish=_build(pub.last_publish),
    )  # fmt: skip


def _build(record: BuildRecord | None) -> BuildSummary | None:
    if record is None:
        return None
    return BuildSummary(
        id=record.id or 0, status=record.status, started_at=record.started_at,
        finished_at=record.finished_at, seconds=record.seconds,
        pages_changed=record.pages_changed,
    )  # fmt: skip

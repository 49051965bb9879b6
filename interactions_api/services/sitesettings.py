"""Site settings an admin changes in Studio, kept in the database.

Each one starts as its QUIRE_ environment setting; a row in `site_setting` overrides it
from then on, in every API process and worker (no restart). The rules that read a
setting ask here, so the database value wins everywhere: the comment guard (moderation
mode), the review (self-approval) and every page's header (site name).
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass
from typing import Literal, cast, get_args

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from interactions_api.config import ModerationMode, Settings
from interactions_api.db import reader
from interactions_api.errors import Unprocessable
from interactions_api.models.common import utcnow
from interactions_api.models.site import SiteSetting
from interactions_api.models.user import User

SelfApproval = Literal["auto", "yes", "no"]
MODES: tuple[str, ...] = get_args(ModerationMode)
SELF_APPROVAL: tuple[str, ...] = get_args(SelfApproval)
SITE_NAME_MAX = 100
_CACHE_S = 5.0  # how long another process's change may take to show in page headers
_names: weakref.WeakKeyDictionary[Engine, tuple[float, str]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class SiteConfig:
    """The settings in force: the database's where an admin set one, else the defaults."""

    site_name: str
    moderation: ModerationMode
    self_approval: SelfApproval  # auto: only while the site has a single editor

    @property
    def allow_self_approval(self) -> bool | None:
        """As `Settings.allow_self_approval`: None is automatic."""
        return None if self.self_approval == "auto" else self.self_approval == "yes"


def _defaults(settings: Settings) -> dict[str, str]:
    allow = settings.allow_self_approval
    return {
        "site_name": settings.site_name,
        "moderation": settings.moderation,
        "self_approval": "auto" if allow is None else ("yes" if allow else "no"),
    }


def current(db: Session, settings: Settings) -> SiteConfig:
    """The settings in force."""
    values = _defaults(settings)
    for row in db.exec(select(SiteSetting)).all():
        if row.key in values:
            values[row.key] = row.value
    return SiteConfig(
        site_name=values["site_name"],
        moderation=cast(ModerationMode, values["moderation"]),
        self_approval=cast(SelfApproval, values["self_approval"]),
    )


def moderation_mode(db: Session, settings: Settings) -> ModerationMode:
    """Which comments wait for an editor (none, first, links, all)."""
    row = db.get(SiteSetting, "moderation")
    return cast(ModerationMode, row.value) if row is not None else settings.moderation


def allow_self_approval(db: Session, settings: Settings) -> bool | None:
    """Whether an editor may approve their own submission (None: automatic)."""
    row = db.get(SiteSetting, "self_approval")
    if row is None:
        return settings.allow_self_approval
    return None if row.value == "auto" else row.value == "yes"


def clean(name: str, value: str) -> str:
    """`value` as stored for setting `name`, or 422 naming the field."""
    value = value.strip()
    if name == "moderation" and value not in MODES:
        raise _invalid(name, f"Choose a moderation mode: {', '.join(MODES)}.")
    if name == "self_approval" and value not in SELF_APPROVAL:
        raise _invalid(name, f"Choose one of: {', '.join(SELF_APPROVAL)}.")
    if name == "site_name":
        value = " ".join("".join(c for c in value if c.isprintable()).split())
        if not value:
            raise _invalid(name, "The site name cannot be empty.")
        if len(value) > SITE_NAME_MAX:
            raise _invalid(name, f"The site name is longer than {SITE_NAME_MAX} characters.")
    return value


def _invalid(name: str, message: str) -> Unprocessable:
    return Unprocessable(message, code="invalid_setting", field=name)


def update(db: Session, settings: Settings, *, by: User, changes: dict[str, str]) -> SiteConfig:
    """Store the changed settings (every value checked first: all or nothing)."""
    unknown = sorted(set(changes) - set(_defaults(settings)))
    if unknown:
        raise _invalid(unknown[0], f"There is no site setting {unknown[0]!r}.")
    cleaned = {name: clean(name, value) for name, value in changes.items()}
    for name, value in cleaned.items():
        row = db.get(SiteSetting, name) or SiteSetting(key=name)
        row.value, row.updated_by, row.updated_at = value, by.id, utcnow()
        db.add(row)
    db.flush()
    _names.clear()  # this process shows a new name at once
    return current(db, settings)


def site_name(engine: Engine | None, settings: Settings) -> str:
    """The site's name for page headers (cached a few seconds per process)."""
    if engine is None:
        return settings.site_name
    now = time.monotonic()
    cached = _names.get(engine)
    if cached is not None and now - cached[0] < _CACHE_S:
        return cached[1]
    try:
        with Session(reader(engine)) as db:
            row = db.get(SiteSetting, "site_name")
    except SQLAlchemyError:  # an error page while the database is down still renders
        return settings.site_name
    name = row.value if row is not None else settings.site_name
    _names[engine] = (now, name)
    return name

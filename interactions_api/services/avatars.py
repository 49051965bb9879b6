"""An account's avatar: checked and re-encoded like inbox images (no metadata kept),
stored under the data folder until a publish commits it beside authors.toml.

The stored name carries the account and a digest of the bytes, so a new picture is a
new URL (no stale copy in a CDN or browser cache).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlmodel import Session

from interactions_api.config import Settings
from interactions_api.models.user import User
from interactions_api.services import cpu
from interactions_api.services.bylines import avatar_path
from interactions_api.services.uploads import clean_image

NAME = re.compile(r"^user-\d+-[0-9a-f]{16}\.(jpg|png|webp)$")


def avatars_dir(settings: Settings) -> Path:
    """Where avatars wait for a publish (and are served to their owner from)."""
    return settings.data_dir / "avatars"


def set_avatar(db: Session, settings: Settings, user: User, data: bytes, *, filename: str) -> str:
    """Check, re-encode and keep a new avatar; returns its stored name. Blocking (image
    decoding): call it off the event loop."""
    assert user.id is not None
    clean, ext = cpu.gate("image uploads").run(clean_image, settings, data, filename=filename)
    name = f"user-{int(user.id)}-{hashlib.sha256(clean).hexdigest()[:16]}.{ext}"
    folder = avatars_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(clean)
    user.avatar = name
    db.add(user)
    db.flush()
    return name


def remove_avatar(db: Session, user: User) -> None:
    """Show no avatar from now on (the site keeps the old file until the next publish)."""
    user.avatar = ""
    db.add(user)
    db.flush()


def avatar_file(settings: Settings, user: User) -> Path | None:
    """The stored file of the account's avatar, if it has one."""
    if not user.avatar or not NAME.match(user.avatar):
        return None
    path = avatars_dir(settings) / user.avatar
    return path if path.is_file() else None


def avatar_files(settings: Settings, user: User) -> dict[str, bytes | None]:
    """The avatar as a content-repository file, for the publish that names it."""
    path = avatar_file(settings, user)
    return {avatar_path(user): path.read_bytes()} if path is not None else {}

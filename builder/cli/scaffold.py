"""`quire new`: a site from content_templates/site, a post from the post archetype."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import unicodedata
from datetime import date
from pathlib import Path

import builder
from builder.markdown import slugify

ARCHETYPE = "archetypes/post.md"


class ScaffoldError(Exception):
    """The site or post cannot be created where asked."""


def templates_dir() -> Path:
    """content_templates/ of a source checkout, else the copy inside the installed wheel."""
    package = Path(builder.__file__).resolve().parent
    for candidate in (
        package.parent / "content_templates",
        package / "_data" / "content_templates",
    ):
        if (candidate / "site").is_dir():
            return candidate
    raise ScaffoldError("Quire's content_templates folder is missing; reinstall Quire")


def new_site(target: Path, *, title: str | None = None) -> Path:
    """Copy the starter site into `target` (which must be empty or absent)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(f"{target} already exists and is not empty; choose a new folder")
    shutil.copytree(templates_dir() / "site", target, dirs_exist_ok=True)
    name = title or target.resolve().name.replace("-", " ").replace("_", " ").title()
    config = target / "quire.toml"
    text = config.read_text(encoding="utf-8")
    # json.dumps gives a valid TOML basic string (same escapes for quotes and backslashes)
    text = text.replace('title = "My Quire Blog"', f"title = {json.dumps(name)}", 1)
    config.write_text(text, encoding="utf-8")
    return target


def new_post(site_dir: Path, title: str, *, today: date | None = None) -> Path:
    """Create content/posts/<date>-<slug>.md from the archetype; returns its path."""
    if not (site_dir / "quire.toml").is_file():
        raise ScaffoldError(f"{site_dir} is not a Quire site (no quire.toml); use --site DIR")
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"the title {title!r} has no letters or digits to make a URL from")
    day = (today or date.today()).isoformat()
    path = site_dir / "content" / "posts" / f"{day}-{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path} already exists; choose another title")
    archetype = (templates_dir() / ARCHETYPE).read_text(encoding="utf-8")
    # Plain replacement, never a template engine: titles are user text.
    text = (
        archetype.replace("{{ title }}", json.dumps(title, ensure_ascii=False))
        .replace("{{ date }}", day)
        .replace("{{ id }}", f"{_ascii(slug)[:60] or 'post'}-{secrets.token_hex(4)}")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _ascii(slug: str) -> str:
    """An ASCII form of a slug for the post id (thread ids travel through the API)."""
    folded = unicodedata.normalize("NFKD", slug).encode("ascii", "ignore").decode()
    return "-".join(part for part in re.split(r"[^a-z0-9]+", folded.lower()) if part)

"""A revision as the Markdown file the builder reads, checked by the builder's own parser."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

import yaml

from builder.model import Diagnostic, Source
from builder.parse import ParseSettings, parse_source
from interactions_api.models.inbox import PostFields
from interactions_api.services import sandbox

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
POSTS_DIR = "content/posts"
IMAGES_DIR = "static/images/inbox"


def post_path(slug: str) -> str:
    """Where a submission's Markdown lives in the content repository."""
    return f"{POSTS_DIR}/{slug}.md"


def image_dir(slug: str) -> str:
    """Where a submission's images live in the content repository."""
    return f"{IMAGES_DIR}/{slug}"


def image_url(slug: str, name: str) -> str:
    """The site URL of an uploaded image (static/ is served from the site root)."""
    return f"/images/inbox/{slug}/{name}"


def render_post(
    fields: PostFields, *, slug: str, date: datetime, authors: tuple[str, ...] = ()
) -> str:
    """The Markdown file: YAML front matter (safe-dumped, never templated) and the body;
    `authors` are keys of the site's authors.toml (none: the site's default authors)."""
    front: dict[str, Any] = {
        "title": fields.title,
        "date": date.isoformat(timespec="seconds"),
        "slug": slug,
        "id": slug,  # the comment thread key: stable across revisions
    }
    if authors:
        front["authors"] = list(authors)
    if fields.tags:
        front["tags"] = list(fields.tags)
    if fields.summary:
        front["summary"] = fields.summary
    if fields.cover_src:
        front["cover"] = {"src": fields.cover_src, "alt": fields.cover_alt}
    for key in ("category", "series", "canonical"):
        if getattr(fields, key):
            front[key] = getattr(fields, key)
    if fields.toc:
        front["toc"] = True
    yaml_text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    body = fields.body.replace("\r\n", "\n").replace("\r", "\n")
    if body and not body.endswith("\n"):
        body += "\n"
    return f"---\n{yaml_text}---\n\n{body}"


def check_post(text: str, *, slug: str) -> list[Diagnostic]:
    """The builder's errors for this file (empty when it would build).

    Runs the builder's parser in a child process on a CPU budget: 422 naming the body
    when its Markdown is too costly or breaks the renderer, 503 when all are busy.
    """
    return sandbox.pool().run(parse_problems, text, slug)


def parse_problems(text: str, slug: str) -> list[Diagnostic]:
    """`check_post` in this process, unbounded: only for a sandbox child."""
    path = post_path(slug)
    source = Source(path, text, hashlib.sha256(text.encode()).hexdigest())
    _doc, problems = parse_source(source, ParseSettings(False, "UTC", ()))
    return [d for d in problems if d.severity == "error"]

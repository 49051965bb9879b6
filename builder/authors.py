"""The authors file (`authors.toml`): author key -> name, bio, avatar and links.

[ada]
name = "Ada Lovelace"
bio = "Writes about engines."
avatar = "/images/ada.svg"
links = { Website = "https://example.com", Mastodon = "https://example.social/@ada" }
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from builder.load import AUTHORS_NAME
from builder.markdown import safe_url
from builder.model import Author, Diagnostic, Source

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_FIELDS = {"name", "bio", "avatar", "links"}


def parse_authors(source: Source | None) -> tuple[dict[str, Author], list[Diagnostic]]:
    """Validate the authors file; a missing file means no authors."""
    if source is None:
        return {}, []
    problems: list[Diagnostic] = []
    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        return {}, [Diagnostic("error", AUTHORS_NAME, f"not valid TOML: {exc}", line=line)]
    authors: dict[str, Author] = {}
    for key, value in data.items():
        author = _author(key, value, source.text, problems)
        if author is not None:
            authors[key] = author
    return dict(sorted(authors.items())), problems


def _author(key: str, value: Any, text: str, problems: list[Diagnostic]) -> Author | None:
    line = _line_of(key, text)

    def error(message: str, hint: str) -> None:
        problems.append(Diagnostic("error", AUTHORS_NAME, message, hint, line, key))

    if not _KEY.match(key):
        error(
            f"author key `{key}` is not URL-safe",
            "Use lowercase letters, digits, `-` and `_` (it becomes /authors/<key>/).",
        )
        return None
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        error(f"author `{key}` has no `name`", f'Add `name = "Full Name"` under [{key}].')
        return None
    unknown = sorted(set(value) - _FIELDS)
    if unknown:
        error(
            f"author `{key}` has unknown field(s): {', '.join(unknown)}",
            "Known fields: name, bio, avatar, links.",
        )
        return None
    for field in ("bio", "avatar"):
        if not isinstance(value.get(field, ""), str):
            error(f"author `{key}`: `{field}` must be text", f'Write `{field} = "..."`.')
            return None
    if not safe_url(value.get("avatar", "")):
        error(f"author `{key}`: `avatar` is not an image URL", "Use e.g. /images/ada.png.")
        return None
    links = value.get("links", {})
    if not isinstance(links, dict) or not all(
        isinstance(url, str) and safe_url(url) for url in links.values()
    ):
        error(
            f"author `{key}`: `links` must map labels to http(s) URLs",
            'Write `links = { Website = "https://example.com" }`.',
        )
        return None
    return Author(
        key=key,
        name=value["name"],
        bio=value.get("bio", ""),
        avatar=value.get("avatar", ""),
        links=tuple((str(label), url) for label, url in links.items()),
        url=f"/authors/{key}/",
    )


def _line_of(key: str, text: str) -> int | None:
    pattern = re.compile(rf"""^\s*\[\s*["']?{re.escape(key)}["']?\s*[\].]""")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None

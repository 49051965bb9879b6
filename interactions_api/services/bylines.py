"""The byline of an inbox article: the account that wrote it, as an entry of the site's
authors file (`authors.toml`), so the post names its writer and the builder gives them
an author page (the builder reads only the file; it never asks the API).

The entry's key is `user-<account id>`: stable when the display name changes, and never
one of the keys a site writes by hand. The entry (name, bio, website) is rewritten from
the account at each publish; every other line of the file stays as it was.
"""

from __future__ import annotations

import json
import re

from interactions_api.models.user import User

AUTHORS_FILE = "authors.toml"  # the builder's builder.load.AUTHORS_NAME
AVATARS_DIR = "static/images/authors"
_HEADER = re.compile(r"^\s*\[")


def author_key(user: User) -> str:
    """The account's key in authors.toml (and in a post's `authors`)."""
    assert user.id is not None
    return f"user-{int(user.id)}"


def avatar_path(user: User) -> str:
    """Where the account's avatar lives in the content repository ('' for none)."""
    return f"{AVATARS_DIR}/{user.avatar}" if user.avatar else ""


def avatar_url(user: User) -> str:
    """The site URL of the account's avatar (static/ is served from the site root)."""
    return f"/images/authors/{user.avatar}" if user.avatar else ""


def _toml_string(text: str) -> str:
    # JSON's escapes are TOML's, except that TOML also wants DEL and no surrogates.
    clean = "".join(ch for ch in text if ch >= " " and ch != "\x7f")
    return json.dumps(clean, ensure_ascii=False)


def author_entry(user: User) -> str:
    """The account's table in authors.toml."""
    lines = [f"[{author_key(user)}]", f"name = {_toml_string(user.display_name)}"]
    if user.bio.strip():
        lines.append(f"bio = {_toml_string(' '.join(user.bio.split()))}")
    if user.avatar:
        lines.append(f"avatar = {_toml_string(avatar_url(user))}")
    website = user.website.strip()
    if website.lower().startswith(("https://", "http://")):
        lines.append(f"links = {{ Website = {_toml_string(website)} }}")
    return "\n".join(lines) + "\n"


def with_author(authors_toml: str | None, user: User) -> str:
    """The authors file with the account's entry added, or replaced by its current one."""
    key = f"[{author_key(user)}]"
    lines = (authors_toml or "").splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == key), None)
    if start is None:
        text = "".join(lines)
        if text and not text.endswith("\n"):
            text += "\n"
        return f"{text}\n{author_entry(user)}" if text else author_entry(user)
    end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
    tail = lines[end:]
    return "".join([*lines[:start], author_entry(user), "\n" if tail else "", *tail])

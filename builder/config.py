"""A site's settings (`quire.toml`) and the options of one build.

`load_config` reads and validates `quire.toml`; every problem becomes a Diagnostic that
names `quire.toml`, the key and the line where it can be found.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from builder.markdown import safe_url
from builder.model import Diagnostic
from builder.options import BuildOptions as BuildOptions  # re-exported: where it lived

CONFIG_NAME = "quire.toml"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_TOML_LINE = re.compile(r"line (\d+)")


class MenuItem(BaseModel):
    """One entry of the site's navigation menu."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    url: str = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        # the menu is rendered into every page: no javascript:/data: links there either
        if not safe_url(value):
            raise ValueError("must be a path such as /about/ or an http(s) URL")
        return value


class SiteConfig(BaseModel):
    """The validated contents of a site's `quire.toml`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str = Field(min_length=1, description="The site's name (required).")
    description: str = Field(default="", description="One sentence for feeds and search engines.")
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where the site is published, e.g. https://blog.example.com (no trailing /).",
    )
    language: str = Field(default="en", description="Language tag of the content, e.g. en, pt-BR.")
    timezone: str = Field(default="UTC", description="Time zone of dates written without one.")
    theme: str = Field(default="default", description="Theme folder: site themes/, then Quire's.")
    # strict: TOML has real numbers and booleans, so "10" or "yes" is a mistake worth naming
    per_page: int = Field(
        default=10, ge=1, le=1000, strict=True, description="Posts per list page."
    )
    feed_items: int = Field(
        default=20, ge=1, le=1000, strict=True, description="Entries in the Atom and JSON feeds."
    )
    allow_html: bool = Field(
        default=False, strict=True, description="Allow a sanitised subset of raw HTML in posts."
    )
    api_base: str = Field(
        default="", description="URL of the interaction API; empty means the same origin (/api)."
    )
    comments: bool = Field(
        default=True, strict=True, description="Show comment and like widgets under posts."
    )
    output_dir: str = Field(default="public", description="Build output folder, inside the site.")
    menu: tuple[MenuItem, ...] = Field(
        default=(), description="Navigation: [[menu]] entries with `name` and `url`."
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="Free-form [params] table passed to the theme."
    )
    default_authors: tuple[str, ...] = Field(
        default=(), description="Author keys used when a post names no `authors`."
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("must be an absolute http(s) URL such as https://blog.example.com")
        return value.rstrip("/")

    @field_validator("api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError("must be empty (same origin) or an absolute http(s) URL")
        return value.rstrip("/")

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not _LANGUAGE.match(value):
            raise ValueError("must be a language tag such as en or pt-BR")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a known time zone (use e.g. UTC or Europe/Paris)") from None
        return value

    @field_validator("output_dir")
    @classmethod
    def _output_dir(cls, value: str) -> str:
        parts = Path(value).parts
        if not value or Path(value).is_absolute() or ".." in parts or parts in ((".",), ()):
            raise ValueError("must be a folder inside the site, such as public")
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone, for dates written without an offset."""
        return ZoneInfo(self.timezone)


class ConfigError(Exception):
    """quire.toml is missing or invalid; carries one Diagnostic per problem."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


def load_config(site_dir: Path) -> SiteConfig:
    """Read and validate `site_dir/quire.toml`, raising ConfigError naming every bad key."""
    path = site_dir / CONFIG_NAME
    if not path.is_file():
        raise ConfigError(
            [
                Diagnostic(
                    "error",
                    CONFIG_NAME,
                    f"no {CONFIG_NAME} in {site_dir}",
                    hint="Is this a Quire site? Create one with `quire new site DIR`.",
                )
            ]
        )
    text = path.read_text(encoding="utf-8")
    return parse_config(text)


def parse_config(text: str) -> SiteConfig:
    """Validate the text of a quire.toml file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        raise ConfigError(
            [
                Diagnostic(
                    "error",
                    CONFIG_NAME,
                    f"not valid TOML: {exc}",
                    hint="Check quoting and `key = value` syntax.",
                    line=int(match.group(1)) if match else None,
                )
            ]
        ) from None
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as exc:
        found = [_diagnostic(err, text) for err in exc.errors()]
        raise ConfigError(sorted(found, key=lambda d: d.line or 0)) from None


def _diagnostic(err: Any, text: str) -> Diagnostic:
    loc = [str(p) for p in err["loc"]]
    key = ".".join(loc) or "(top level)"
    top = loc[0] if loc else ""
    kind = err["type"]
    if kind == "extra_forbidden":
        message = f"unknown key `{key}`"
        close = difflib.get_close_matches(loc[-1], SiteConfig.model_fields, n=1, cutoff=0.75)
        hint = (
            f"Did you mean `{close[0]}`?"
            if close and len(loc) == 1
            else "Remove it, or put theme settings under [params]."
        )
    elif kind == "missing":
        message = f"`{key}` is required"
        hint = (
            f"Add `{loc[-1]} = ...` to that [{top}] entry."
            if len(loc) > 1
            else f"Add `{top} = ...` to {CONFIG_NAME}."
        )
    else:
        reason = str(err["msg"]).removeprefix("Value error, ")
        message = f"`{key}` {reason[0].lower()}{reason[1:]}" if reason else f"`{key}` is invalid"
        hint = _TYPE_HINTS.get(kind.split("_")[0], "").format(key=loc[-1] if loc else key)
    return Diagnostic("error", CONFIG_NAME, message, hint, line=_line_of(loc, text), field=key)


_TYPE_HINTS = {
    "int": "Write a whole number without quotes, e.g. `{key} = 10`.",
    "bool": "Write `{key} = true` or `{key} = false`.",
    "string": 'Write text in quotes, e.g. `{key} = "..."`.',
    "tuple": 'Write a list, e.g. `{key} = ["a", "b"]`.',
    "dict": "Write a table, e.g. `[{key}]` followed by `key = value` lines.",
}


def _line_of(loc: list[str], text: str) -> int | None:
    """The line of a key (`per_page`, or `url` in the 2nd [[menu]]) so errors point at it."""
    if not loc:
        return None
    lines = text.splitlines()
    top = re.compile(rf"^\s*(\[\[?)?\s*{re.escape(loc[0])}\s*(=|\]\]?)")
    starts = [n for n, line in enumerate(lines) if top.match(line)]
    if not starts:
        return None
    index = int(loc[1]) if len(loc) > 1 and loc[1].isdigit() else 0
    start = starts[min(index, len(starts) - 1)]
    if len(loc) > 2 and lines[start].lstrip().startswith("[["):
        inner = re.compile(rf"^\s*{re.escape(loc[2])}\s*=")
        for n in range(start + 1, len(lines)):
            if lines[n].lstrip().startswith("["):
                break
            if inner.match(lines[n]):
                return n + 1
    return start + 1


def site_settings_table() -> str:
    """The quire.toml keys as a Markdown table (the README's copy is kept in sync by a test)."""
    rows = ["| Key | Default | Meaning |", "|---|---|---|"]
    for name, info in SiteConfig.model_fields.items():
        if info.is_required():
            default = "(required)"
        else:
            value = info.get_default(call_default_factory=True)
            default = f"`{json.dumps(list(value) if isinstance(value, tuple) else value)}`"
        rows.append(f"| `{name}` | {default} | {info.description} |")
    return "\n".join(rows)

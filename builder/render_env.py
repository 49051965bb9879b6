"""The Jinja environment of a theme (filters, tests, globals) and the URL helpers pages
share. Used by ``render._Renderer``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from builder import seo
from builder.assets import Assets

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def make_environment(theme_dir: Path, config: Any, assets: Assets) -> Environment:
    """A Jinja environment that loads only the theme's templates, autoescaped and strict."""
    env = Environment(
        loader=FileSystemLoader(str(theme_dir / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    base_path = urlsplit(config.base_url).path.rstrip("/")

    def url(path: str) -> str:
        return path if "://" in path or not path.startswith("/") else base_path + path

    env.filters["url"] = url
    env.filters["abs_url"] = lambda path: seo.absolute(config.base_url, path)
    env.filters["date"] = human_date
    env.filters["iso"] = seo.iso
    env.tests["safe_link"] = is_safe_link
    env.globals.update(
        config=config,
        asset=lambda name: url(assets.url(name)),
        has_asset=assets.has,
        menu=config.menu,
    )
    return env


def is_safe_link(value: str) -> bool:
    """Whether a link from data (author links, menu) may become an href: no script schemes."""
    scheme = urlsplit(value.strip()).scheme.lower()
    return scheme in {"", "http", "https", "mailto"}


def human_date(value: datetime) -> str:
    """'March 5, 2024': from the document's own date, independent of the machine's locale."""
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def url_to_path(url: str) -> str | None:
    """The output file for a site URL path ("/a/b/" -> "a/b/index.html"); None if unsafe."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    if "\\" in path or "\x00" in path:
        return None
    parts = [p for p in path.split("/") if p]
    if any(p in {".", ".."} for p in parts):
        return None
    if not parts:
        return "index.html"
    if not path.endswith("/") and PurePosixPath(parts[-1]).suffix:  # a file: feed.xml, a.html
        return "/".join(parts)
    return "/".join([*parts, "index.html"])

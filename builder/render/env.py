"""The Jinja environment of a theme (filters, tests, globals) and the URL helpers pages
share. Used by builder.render.context."""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from jinja2 import (
    BytecodeCache,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    Template,
    select_autoescape,
)
from jinja2.bccache import Bucket
from markupsafe import escape

from builder.cache import CACHE_DIR, cache_version
from builder.render import seo
from builder.render.assets import Assets
from builder.render.html_escape import quick_escape

COMPILED_DIR = "templates"  # in the build cache folder: the theme's compiled templates

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


class _CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept between builds (each new process would compile them again:
    tens of milliseconds of a one-post rebuild). Jinja checks each template's source
    before using its compiled code; the key also holds Quire's version, because the code
    depends on the environment's settings, which Jinja's own key leaves out."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder), "%s.jinja")
        self.salt = cache_version()

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.salt}\0{name}", filename)

    # a cache: when its folder cannot be read or written (full disk, deleted meanwhile),
    # the templates are compiled as if it were empty and the build goes on
    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


class _QuickEscapeTemplate(Template):
    """A template whose printed values are escaped by `quick_escape`. Compiled template
    code looks `escape` up in its module's namespace at each call, and only ever passes
    the result to the output (tests/builder/test_render_env.py compares the pages)."""

    @classmethod
    def _from_namespace(cls, environment: Environment, namespace: Any, globals: Any) -> Any:
        if namespace.get("escape") is escape:
            namespace["escape"] = quick_escape
        return super()._from_namespace(environment, namespace, globals)


def compiled_templates(site_dir: Path) -> BytecodeCache | None:
    """Where a site's builds keep compiled templates (its build cache folder); None when
    that folder cannot be made."""
    folder = site_dir / CACHE_DIR / COMPILED_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _CompiledTemplates(folder)


def make_environment(
    theme_dir: Path,
    config: Any,
    assets: Assets,
    compiled: BytecodeCache | None = None,
) -> Environment:
    """A Jinja environment that loads only the theme's templates, autoescaped and strict;
    `compiled` keeps the compiled templates between builds (see compiled_templates)."""
    env = Environment(
        loader=FileSystemLoader(str(theme_dir / "templates")),
        bytecode_cache=compiled,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.template_class = _QuickEscapeTemplate
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

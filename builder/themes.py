"""Find a theme folder by name: the site's own themes first, then the ones Quire ships."""

from __future__ import annotations

from pathlib import Path

import builder

TEMPLATES_DIR = "templates"
STATIC_DIR = "static"


class ThemeError(Exception):
    """The theme named in quire.toml cannot be found or is not a theme."""


def theme_search_path(site_dir: Path) -> list[Path]:
    """Folders that may hold themes, in the order they are searched."""
    package = Path(builder.__file__).resolve().parent
    return [
        site_dir / "themes",
        package.parent / "themes",  # a source checkout (editable install)
        package / "_data" / "themes",  # a wheel install (force-included by hatch)
    ]


def resolve_theme(name: str, site_dir: Path) -> Path:
    """The folder of theme `name`: site_dir/themes/<name>, else a theme shipped with Quire."""
    # A theme name is a folder name, never a path: refuse anything that could escape.
    if not name or name in {".", ".."} or "/" in name or "\\" in name:
        raise ThemeError(
            f"quire.toml: `theme` must be a theme folder name such as 'default', got {name!r}"
        )
    searched = theme_search_path(site_dir)
    for folder in searched:
        candidate = folder / name
        if (candidate / TEMPLATES_DIR).is_dir():
            return candidate
    where = ", ".join(str(p) for p in searched)
    raise ThemeError(
        f"quire.toml: `theme` = {name!r} is not a known theme (looked for a "
        f"'{name}/{TEMPLATES_DIR}' folder in: {where}). Use theme = \"default\" or put the "
        f"theme in {site_dir / 'themes' / name}."
    )

"""The weight budget of the reader widgets: what an article page loads before any click.

The files are named in the theme's ``theme.toml``::

    [budget]
    files = ["static/js/quire-widgets.js", "static/css/quire-widgets.css"]
    limit_kb = 10   # gzipped KiB, all files together

and default to the two files above when the section is absent. Lazily loaded parts (the
editor) are not listed: a reader who never comments never downloads them.
"""

from __future__ import annotations

import gzip
import tomllib
from dataclasses import dataclass
from pathlib import Path

from builder.model import Diagnostic

THEME_TOML = "theme.toml"
DEFAULT_FILES = ("static/js/quire-widgets.js", "static/css/quire-widgets.css")
DEFAULT_LIMIT_KB = 10.0


@dataclass(frozen=True, slots=True)
class BudgetReport:
    """Gzipped (level 9) sizes of the initially loaded widget files against the limit."""

    sizes: tuple[tuple[str, int], ...]  # (theme-relative path, gzipped bytes)
    limit: int  # bytes

    @property
    def total(self) -> int:
        return sum(size for _, size in self.sizes)

    @property
    def over(self) -> bool:
        return self.total > self.limit

    def describe(self) -> str:
        """One line: each file and its size, the total and the limit."""
        parts = ", ".join(f"{name} {size / 1024:.1f} KB" for name, size in self.sizes)
        return f"{parts}; total {self.total / 1024:.2f} KB of {self.limit / 1024:.1f} KB gzipped"


class BudgetError(ValueError):
    """The theme's [budget] section cannot be used."""


def gzipped_size(data: bytes) -> int:
    """Size of `data` compressed the way a CDN would at best (gzip level 9)."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _budget_spec(theme_dir: Path) -> tuple[tuple[str, ...], float, bool]:
    """The listed files, the limit in KiB, and whether the theme named them itself."""
    toml_path = theme_dir / THEME_TOML
    if not toml_path.is_file():
        return DEFAULT_FILES, DEFAULT_LIMIT_KB, False
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BudgetError(f"{toml_path}: not valid TOML ({exc})") from exc
    section = data.get("budget")
    if section is None:
        return DEFAULT_FILES, DEFAULT_LIMIT_KB, False
    files = section.get("files", list(DEFAULT_FILES)) if isinstance(section, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) and f for f in files):
        raise BudgetError(f"{toml_path}: [budget] files must be a list of theme-relative paths")
    limit = section.get("limit_kb", DEFAULT_LIMIT_KB)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0:
        raise BudgetError(f"{toml_path}: [budget] limit_kb must be a positive number of KiB")
    return tuple(files), float(limit), True


def measure_widget_budget(theme_dir: Path) -> BudgetReport:
    """Measure the listed files; a file the theme lists but lacks is a BudgetError."""
    files, limit_kb, named = _budget_spec(theme_dir)
    root = theme_dir.resolve()
    sizes: list[tuple[str, int]] = []
    for name in files:
        path = (root / name).resolve()
        # The list comes from a theme someone else may have written: stay inside it.
        if not path.is_relative_to(root):
            raise BudgetError(
                f"{theme_dir / THEME_TOML}: [budget] file {name!r} is outside the theme"
            )
        if not path.is_file():
            if named:
                raise BudgetError(
                    f"{theme_dir / THEME_TOML}: [budget] lists {name!r}, which does not exist"
                )
            continue  # a theme without widgets loads nothing
        sizes.append((name, gzipped_size(path.read_bytes())))
    return BudgetReport(sizes=tuple(sizes), limit=round(limit_kb * 1024))


def check_widget_budget(theme_dir: Path) -> Diagnostic | None:
    """An error Diagnostic when the article page's widget files exceed the budget, else None."""
    where = f"{theme_dir.name}/{THEME_TOML}"
    try:
        report = measure_widget_budget(theme_dir)
    except BudgetError as exc:
        return Diagnostic(severity="error", file=where, message=str(exc), field="budget")
    if not report.over:
        return None
    return Diagnostic(
        severity="error",
        file=where,
        field="budget",
        message=f"the reader widgets are over budget: {report.describe()}",
        hint="Move less-used code into the lazily loaded editor file, or trim the CSS.",
    )

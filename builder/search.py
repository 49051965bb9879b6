"""Site search on a static host: a Pagefind index built over the written output folder.

The binary comes from the ``pagefind-bin`` wheel. Search is a nicety: when the index cannot
be built the build still succeeds, with a warning that says why.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from builder.model import Diagnostic

SEARCH_DIR = "pagefind"
TIMEOUT_SECONDS = 300.0
_SETTING = "search"  # what a warning names: the search index as a whole


def find_pagefind() -> Path | None:
    """The Pagefind executable shipped by the pagefind-bin wheel, or None."""
    try:
        import pagefind_bin
    except ImportError:
        return None
    try:
        path = Path(pagefind_bin.get_executable())
    except (FileNotFoundError, OSError):
        return None
    return path if path.is_file() else None


def build_search_index(
    out_dir: Path, *, executable: Path | None = None, timeout: float = TIMEOUT_SECONDS
) -> tuple[list[str], list[Diagnostic]]:
    """Index the HTML in `out_dir` into `out_dir/pagefind/`; return the files it created."""
    exe = executable or find_pagefind()
    if exe is None:
        return [], [_warning("the Pagefind binary is not installed (package `pagefind-bin`)")]
    target = out_dir / SEARCH_DIR
    if target.exists():
        shutil.rmtree(target)  # a stale index must not survive next to the new one
    command = [str(exe), "--site", str(out_dir), "--output-subdir", SEARCH_DIR, "--silent"]
    try:
        result = subprocess.run(  # noqa: S603  # fixed argv, no shell
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return [], [_warning(f"Pagefind could not run: {exc}")]
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        return [], [_warning(f"Pagefind failed (exit {result.returncode}): {' | '.join(detail)}")]
    if not target.is_dir():
        return [], [_warning("Pagefind ran but wrote no index (are there any HTML pages?)")]
    created = sorted(p.relative_to(out_dir).as_posix() for p in target.rglob("*") if p.is_file())
    return created, []


def _warning(message: str) -> Diagnostic:
    return Diagnostic(
        "warning",
        _SETTING,
        f"search index not built: {message}",
        hint="The site works without it; only the search page will be empty.",
    )

"""Site search on a static host: a Pagefind index built over the written output folder.

The binary comes from the ``pagefind-bin`` wheel. Search is a nicety: when the index cannot
be built the build still succeeds, with a warning that says why.

A finished output folder is re-indexed beside itself (`refresh_search_index`): Pagefind
writes the new bundle into a temporary sibling folder, and only a complete bundle is
applied to ``pagefind/`` with the manifest, through the same journal as an incremental
write (builder.write_staged). A failed run leaves the old index and manifest as they were.

A build that keeps the previous index while pages changed (``search_index=False``) leaves
a marker beside the output folder (`search_is_stale`); the next build that may index, or
a refresh, re-indexes even when no page changed since, and removes it.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from builder.manifest import FILE_KINDS, Manifest, ManifestError, read_manifest
from builder.model import Diagnostic
from builder.write_staged import apply_plan, plan_changes, recover_staged

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
    target = out_dir / SEARCH_DIR
    if target.exists():
        shutil.rmtree(target)  # a stale index must not survive next to the new one
    created, problems = _run_pagefind(out_dir, target, executable=executable, timeout=timeout)
    return [f"{SEARCH_DIR}/{rel}" for rel in created], [_warning(p) for p in problems]


def search_is_stale(output_dir: Path) -> bool:
    """True when pages changed since the search index of `output_dir` was built."""
    return _stale_marker(output_dir).exists()


def mark_search_stale(output_dir: Path) -> None:
    """Record that the kept index misses pages about to be written."""
    _stale_marker(output_dir).touch()


def clear_search_stale(output_dir: Path) -> None:
    """The index covers the pages again (or there is no index to be behind)."""
    _stale_marker(output_dir).unlink(missing_ok=True)


def _stale_marker(output_dir: Path) -> Path:
    return output_dir.parent / f".{output_dir.name}.search-stale"


def refresh_search_index(
    output_dir: Path, *, executable: Path | None = None, timeout: float = TIMEOUT_SECONDS
) -> tuple[list[str], list[Diagnostic]]:
    """Re-index a finished output folder and swap the new index in with its manifest.

    Returns the output paths changed or removed (what a publish will upload or delete)
    and the problems; on a problem the old index and manifest are left untouched.
    """
    recover_staged(output_dir)  # finish a write that was killed after its commit point
    try:
        manifest = read_manifest(output_dir)
    except ManifestError as exc:
        return [], [_warning(str(exc), kept=True)]
    if manifest is None or not output_dir.is_dir():
        return [], [_warning(f"{output_dir} holds no built site (build it first)", kept=True)]
    _, changed, removed, problems = update_search_index(
        output_dir, manifest, executable=executable, timeout=timeout
    )
    return sorted({*changed, *removed}), problems


def update_search_index(
    output_dir: Path,
    manifest: Manifest,
    *,
    executable: Path | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> tuple[Manifest, list[str], list[str], list[Diagnostic]]:
    """Index `output_dir` (whose manifest is `manifest`) beside it, then apply the new index.

    Returns the new manifest, the paths changed and removed, and the problems.
    """
    for stale in output_dir.parent.glob(f".{output_dir.name}.pagefind-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed refresh
    bundle = output_dir.parent / f".{output_dir.name}.pagefind-{secrets.token_hex(4)}"
    try:
        created, problems = _run_pagefind(
            output_dir, bundle, executable=executable, timeout=timeout
        )
        if problems:
            kept = any(e.kind == "search" for e in manifest.files.values())
            return manifest, [], [], [_warning(p, kept=kept) for p in problems]
        paths = [(f"{SEARCH_DIR}/{rel}", bundle / rel) for rel in created]
        files = [
            (path, source, ())
            for path, source in paths  # a page of the site's own wins over an index file
            if path not in manifest.files or manifest.files[path].kind == "search"
        ]
        plan = plan_changes([], files, output_dir=output_dir, old=manifest)
        for path, _, _ in files:  # planned as copied files: they are the search index
            plan.entries[path] = replace(plan.entries[path], kind="search")
        for kind in FILE_KINDS:
            if kind != "search":
                plan.keep(kind)
        new, changed, removed = apply_plan(
            plan,
            output_dir=output_dir,
            threads=manifest.threads,
            redirects=manifest.redirects,
            base_url=manifest.base_url,
        )
    finally:
        shutil.rmtree(bundle, ignore_errors=True)
    clear_search_stale(output_dir)
    return new, changed, removed, []


def _run_pagefind(
    site: Path, bundle: Path, *, executable: Path | None, timeout: float
) -> tuple[list[str], list[str]]:
    """Index the HTML in `site` into the folder `bundle`: its files (relative), problems."""
    exe = executable or find_pagefind()
    if exe is None:
        return [], ["the Pagefind binary is not installed (package `pagefind-bin`)"]
    site, bundle = site.absolute(), bundle.absolute()  # --output-path is taken from the cwd
    command = [str(exe), "--site", str(site), "--output-path", str(bundle), "--silent"]
    try:
        result = subprocess.run(  # noqa: S603  # fixed argv, no shell
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return [], [f"Pagefind could not run: {exc}"]
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        return [], [f"Pagefind failed (exit {result.returncode}): {' | '.join(detail)}"]
    if not bundle.is_dir():
        return [], ["Pagefind ran but wrote no index (are there any HTML pages?)"]
    return sorted(p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()), []


def _warning(message: str, *, kept: bool = False) -> Diagnostic:
    if kept:
        return Diagnostic(
            "warning",
            _SETTING,
            f"search index not updated: {message}",
            hint="The previous index is kept; search may miss the newest pages.",
        )
    return Diagnostic(
        "warning",
        _SETTING,
        f"search index not built: {message}",
        hint="The site works without it; only the search page will be empty.",
    )

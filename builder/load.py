"""Stage 1, load: read the site's files from disk into plain Sources.

This is the only stage besides `write` that touches the disk. Nothing outside the site
folder is ever read: a symlink that points out of it is refused with an error.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from builder.model import Diagnostic, Source

POSTS_DIR = "content/posts"
PAGES_DIR = "content"
STATIC_DIR = "static"
AUTHORS_NAME = "authors.toml"


# site-relative path -> (inode, mtime_ns, ctime_ns, size, sha256) of a file read before
StatRecords = dict[str, tuple[int, int, int, int, str]]


@dataclass(frozen=True, slots=True)
class Sources:
    """Everything the build reads from the site folder, as plain data."""

    posts: tuple[Source, ...]  # content/posts/**/*.md, sorted by path
    pages: tuple[Source, ...]  # content/*.md, sorted by path
    authors: Source | None  # authors.toml
    static_files: tuple[str, ...]  # site-relative paths under static/, sorted
    # stat records taken while loading (sources found unchanged), so they are not taken twice
    stats: StatRecords = field(default_factory=dict, compare=False, repr=False)


# A file changed this close to its stat record may change again without its stat showing
# it: within the timestamps' resolution. Whole seconds (or 2 s) on some file systems; on
# those with nanosecond timestamps, the kernel's clock tick.
RACY_NS = 2_000_000_000
FINE_RACY_NS = 50_000_000  # well above a coarse kernel clock tick (1-10 ms)


def load_sources(
    site_dir: Path,
    known: StatRecords | None = None,
    *,
    recorded_ns: int = 0,
    seen: Mapping[str, tuple[int, int, int, int]] | None = None,
) -> tuple[Sources, list[Diagnostic]]:
    """Read posts, pages, the authors file and the static file list of a site.

    A Markdown file whose stat matches its record in `known` (made at `recorded_ns`) is not
    read: it comes back with `loaded=False` and the recorded sha256. `seen`: the files'
    stats (absolute path -> inode, mtime, ctime, size) taken just before, if any.
    """
    root = site_dir.resolve()
    diagnostics: list[Diagnostic] = []
    stats: StatRecords = {}
    posts: list[Source] = []
    pages: list[Source] = []
    content = root / PAGES_DIR
    for rel in _walk(root, content, diagnostics):
        if not rel.endswith(".md"):
            continue
        in_posts = rel.startswith(POSTS_DIR + "/")
        if not in_posts and rel.count("/") > 1:
            diagnostics.append(
                Diagnostic(
                    "warning",
                    rel,
                    "ignored: Markdown under content/ must be a post in content/posts/ "
                    "or a page directly in content/",
                    hint="Move it, or rename it to end in something other than .md.",
                )
            )
            continue
        source = _known(root, rel, known, recorded_ns, stats, seen) if known else None
        source = source or _read(root, rel, diagnostics)
        if source is not None:
            (posts if in_posts else pages).append(source)
    authors = None
    if (root / AUTHORS_NAME).exists() and _inside(
        root, root / AUTHORS_NAME, AUTHORS_NAME, diagnostics
    ):
        authors = _read(root, AUTHORS_NAME, diagnostics)
    static = tuple(_walk(root, root / STATIC_DIR, diagnostics))
    return Sources(tuple(posts), tuple(pages), authors, static, stats), diagnostics


def _walk(root: Path, top: Path, diagnostics: list[Diagnostic]) -> list[str]:
    """Site-relative paths of the regular files under `top`, sorted; dotfiles skipped."""
    found: list[str] = []
    if not top.is_dir():
        return found
    if not _inside(root, top, top.relative_to(root).as_posix(), diagnostics):
        return found
    prefix = str(root).rstrip("/") + "/"
    _walk_dir(root, str(top), prefix, found, diagnostics)
    return sorted(found)


def _walk_dir(
    root: Path, folder: str, prefix: str, found: list[str], diagnostics: list[Diagnostic]
) -> None:
    """One folder of `_walk`, then its subfolders (os.scandir: no stat per regular file)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    subdirs: list[str] = []
    files: list[os.DirEntry[str]] = []
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            files.append(entry)
        elif entry.name.startswith("."):
            continue
        elif entry.is_symlink():
            rel = entry.path[len(prefix) :]
            if _inside(root, Path(entry.path), rel, diagnostics):
                diagnostics.append(
                    Diagnostic(
                        "warning",
                        rel,
                        "symlinked folder skipped",
                        hint="Move the files instead of linking the folder.",
                    )
                )
        else:
            subdirs.append(entry.path)
    for entry in files:
        if entry.name.startswith("."):
            continue
        rel = entry.path[len(prefix) :]
        if entry.is_symlink():
            path = Path(entry.path)
            if _inside(root, path, rel, diagnostics) and path.is_file():
                found.append(rel)
        elif entry.is_file():
            found.append(rel)
    for subdir in subdirs:
        _walk_dir(root, subdir, prefix, found, diagnostics)


def _inside(root: Path, path: Path, rel: str, diagnostics: list[Diagnostic]) -> bool:
    """True when `path` (after following symlinks) stays inside the site folder."""
    if path.resolve().is_relative_to(root):
        return True
    diagnostics.append(
        Diagnostic(
            "error",
            rel,
            "is a symlink pointing outside the site folder",
            hint="Copy the file into the site instead; Quire never reads outside the site.",
        )
    )
    return False


def _known(
    root: Path,
    rel: str,
    known: StatRecords,
    recorded_ns: int,
    stats: StatRecords,
    seen: Mapping[str, tuple[int, int, int, int]] | None,
) -> Source | None:
    record = known.get(rel)
    if record is None:
        return None
    now = seen.get(f"{root}/{rel}") if seen is not None else None
    if now is None:
        try:
            st = os.stat(f"{root}/{rel}")  # noqa: PTH116  # per source: pathlib costs more
        except OSError:
            return None
        now = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    if now != record[:4]:
        return None
    window = FINE_RACY_NS if now[1] % 1_000_000_000 else RACY_NS  # see RACY_NS
    if now[1] > recorded_ns - window or now[2] > recorded_ns - window:
        return None  # changed just before it was recorded: it may have changed again since
    stats[rel] = record
    return Source(rel, "", record[4], loaded=False)


def stat_records(site_dir: Path, sources: Sources) -> StatRecords:
    """The stat of every Markdown source, to skip reading unchanged files next time."""
    records: StatRecords = {}
    root = site_dir.resolve()
    for source in (*sources.posts, *sources.pages):
        seen = sources.stats.get(source.path)
        if seen is not None:
            records[source.path] = seen
            continue
        try:
            st = os.stat(f"{root}/{source.path}")  # noqa: PTH116  # see _known
        except OSError:
            continue
        records[source.path] = (
            st.st_ino,
            st.st_mtime_ns,
            st.st_ctime_ns,
            st.st_size,
            source.sha256,
        )
    return records


def read_source(site_dir: Path, rel: str) -> tuple[Source | None, list[Diagnostic]]:
    """Read one source file (one that load_sources did not need to read)."""
    diagnostics: list[Diagnostic] = []
    return _read(site_dir.resolve(), rel, diagnostics), diagnostics


def _read(root: Path, rel: str, diagnostics: list[Diagnostic]) -> Source | None:
    data = (root / rel).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diagnostics.append(
            Diagnostic(
                "error", rel, "is not valid UTF-8", hint="Save the file as UTF-8.", line=line
            )
        )
        return None
    # One newline convention, so line numbers and output are the same on every platform.
    if "\r" in text:  # (the search alone runs in C: most files have none)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Source(rel, text, hashlib.sha256(data).hexdigest())

"""The up-to-date check: a build whose inputs are all as the last build found them does nothing.

Like make's, but over everything a build reads: quire.toml, authors.toml, every file under
content/ and static/, the theme's files, Quire's own code and library versions (the cache
version), the build options, the baked comments, and the clock (a scheduled post that is
now due changes the site). Files are compared by inode, size, mtime and ctime, and a file
changed within RACY_NS of the last build's snapshot is never trusted (its next change
could leave the same stat). The output files are compared too, so a page deleted or
edited by hand is rebuilt.

The stamp is written only after a successful build, from a snapshot taken before that
build read anything: a file edited during the build differs from the snapshot, so the next
build does the work. Deleting `.quire-cache` (or `--no-cache`) disables the check.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder.cache import CACHE_DIR, cache_version
from builder.load import FINE_RACY_NS, RACY_NS
from builder.model import Diagnostic, Document
from builder.options import BuildOptions
from builder.search import search_is_stale
from builder.stat_many import stat_many
from builder.themes import ThemeError, resolve_theme

if TYPE_CHECKING:
    from builder.render import BakedThread

SEARCH_FILE = "search"  # what the search indexer's warnings name (builder.search)
STAMP_NAME = "uptodate.json"
FORMAT = 1
Stat = tuple[int, int, int, int]  # inode, mtime_ns, ctime_ns, size


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The stat of every input file, taken at `at` (time.time_ns()) before a build."""

    at: int
    theme: str  # theme name as configured
    theme_dir: str  # where it resolved
    files: dict[str, Stat]  # absolute path -> stat


def options_key(parts: Iterable[Any]) -> str:
    """A hash of whatever else shapes the output (options, baked comments)."""
    raw = json.dumps([FORMAT, cache_version(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def take_snapshot(site_dir: Path, theme: str, theme_dir: Path) -> Snapshot:
    """Stat every file a build of `site_dir` may read."""
    at = time.time_ns()
    root = str(site_dir.resolve())
    files: dict[str, Stat] = {}
    for name in ("quire.toml", "authors.toml"):
        _stat_into(files, f"{root}/{name}")
    for folder in (f"{root}/content", f"{root}/static", str(theme_dir.resolve())):
        _walk_into(files, folder)
    return Snapshot(at, theme, str(theme_dir.resolve()), files)


def _stat_into(files: dict[str, Stat], path: str) -> None:
    try:
        st = os.stat(path)  # noqa: PTH116  # thousands of files: pathlib costs more
    except OSError:
        return
    files[path] = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)


def _walk_into(files: dict[str, Stat], folder: str) -> None:
    """Every file under `folder`, dotfiles included (a build may skip them, but a rename
    from a dotfile to a visible name must still count as a change). Folders are recorded
    too: a file added or removed changes its folder's mtime."""
    try:
        st = os.stat(folder)  # noqa: PTH116
        listing = os.scandir(folder)
    except OSError:
        return
    files[folder + "/"] = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    subdirs = []
    with listing:
        for entry in listing:
            try:
                if entry.is_dir(follow_symlinks=False):
                    subdirs.append(entry.path)
                    continue
                est = entry.stat()  # follows a symlinked file to what the build reads
            except OSError:
                continue
            files[entry.path] = (est.st_ino, est.st_mtime_ns, est.st_ctime_ns, est.st_size)
    for subdir in subdirs:
        _walk_into(files, subdir)


def _stamp_path(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR / STAMP_NAME


def next_due(site_dir: Path) -> datetime | None:
    """When the last build's output goes stale because a future-dated post falls due
    (None: no such post, or no build recorded). A scheduler builds again then."""
    try:
        data = json.loads(_stamp_path(site_dir).read_text(encoding="utf-8"))
        return datetime.fromisoformat(data["valid_until"]) if data["valid_until"] else None
    except (OSError, ValueError, LookupError, TypeError):
        return None


def save_stamp(
    site_dir: Path,
    snapshot: Snapshot,
    *,
    key: str,
    output_dir: Path,
    outputs: Iterable[str],
    untouched: Mapping[str, list[int]] | None,
    pages: int,
    valid_until: datetime | None,
    diagnostics: Iterable[Diagnostic],
    base_url: str,
) -> None:
    """Remember that `snapshot`'s inputs, built with `key`, gave `outputs` in `output_dir`.

    `untouched`: the stats of files this build did not write, as found before it.
    """
    out = output_dir.resolve()
    written: dict[str, list[int]] = {}
    for rel in outputs:
        known = untouched.get(rel) if untouched is not None else None
        if known is not None:
            written[rel] = known
            continue
        try:
            st = os.stat(f"{out}/{rel}")  # noqa: PTH116
        except OSError:
            return  # something removed a file already: no stamp, the next build checks all
        written[rel] = [st.st_size, st.st_mtime_ns]
    data = {
        "format": FORMAT,
        "key": key,
        "at": snapshot.at,
        "theme": snapshot.theme,
        "theme_dir": snapshot.theme_dir,
        "inputs": snapshot.files,
        "output_dir": str(out),
        "outputs": written,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "diagnostics": [
            [d.severity, d.file, d.message, d.hint, d.line, d.field] for d in diagnostics
        ],
        "base_url": base_url,
        "pages": pages,
    }
    path = _stamp_path(site_dir)
    tmp = path.with_suffix(".tmp")
    with contextlib.suppress(OSError):
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(path)


def forget_stamp(site_dir: Path) -> None:
    """Drop the stamp (before a build that may change the output)."""
    with contextlib.suppress(OSError):
        _stamp_path(site_dir).unlink()


@dataclass(frozen=True, slots=True)
class UpToDate:
    """What the last build left, when it is still exactly right."""

    output_dir: Path
    diagnostics: tuple[Diagnostic, ...]
    base_url: str
    pages: int  # HTML pages in the output


@dataclass(frozen=True, slots=True)
class Freshness:
    """What the check found: the last build's result if still right, and the output files
    that no longer hold what that build wrote (edited or deleted by hand)."""

    current: UpToDate | None
    tampered: frozenset[str] = frozenset()
    snapshot: Snapshot | None = None  # the inputs as the check found them (a build reuses it)
    outputs: Mapping[str, list[int]] | None = None  # output path -> [size, mtime_ns] found
    output_dir: Path | None = None  # ... in this folder
    # site-relative paths of the Markdown files edited since the last build, when nothing
    # else changed (no file added, removed or renamed; theme, settings, static the same)
    edited: frozenset[str] | None = None
    pages: int = 0  # HTML pages the last build left


def check(site_dir: Path, key: str, now: datetime) -> Freshness:
    """Whether nothing the last build read has changed since (and what was done to its
    output)."""
    try:
        data = json.loads(_stamp_path(site_dir).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return Freshness(None)
        output_dir = Path(data["output_dir"])
        outputs: dict[str, list[int]] = {}
        tampered = _tampered(output_dir, data["outputs"], outputs)
        if tampered or data["key"] != key:
            return Freshness(None, tampered, outputs=outputs, output_dir=output_dir)
        if data["valid_until"] and datetime.fromisoformat(data["valid_until"]) <= now:
            return Freshness(None)  # a scheduled post is due
        theme_dir = str(resolve_theme(data["theme"], site_dir).resolve())
        if theme_dir != data["theme_dir"]:
            return Freshness(None)  # e.g. the site now has its own copy of the theme
        snapshot = take_snapshot(site_dir, data["theme"], Path(theme_dir))
        if not _same_inputs(snapshot.files, data["inputs"], int(data["at"])):
            edited = _edited(site_dir, snapshot.files, data["inputs"], int(data["at"]))
            pages = int(data["pages"])
            return Freshness(None, frozenset(), snapshot, outputs, output_dir, edited, pages)
        diagnostics = tuple(Diagnostic(*d) for d in data["diagnostics"])
        pages = int(data["pages"])
        return Freshness(UpToDate(output_dir, diagnostics, str(data["base_url"]), pages))
    except (OSError, ValueError, LookupError, TypeError, ThemeError):  # doubt: just build
        return Freshness(None)


def _same_inputs(now: Mapping[str, Stat], then: Mapping[str, list[int]], at: int) -> bool:
    if len(now) != len(then):
        return False
    racy = _racy_before(now, at)
    for path, stat in now.items():
        old = then.get(path)
        if old is None or tuple(old) != stat:
            return False
        if stat[1] > racy or stat[2] > racy:
            return False  # changed just before the snapshot: may have changed again since
    return True


def _racy_before(now: Mapping[str, Stat], at: int) -> int:
    """Files changed after this time (ns) cannot be trusted to be unchanged."""
    # A file system with whole-second (or 2 s) timestamps needs a wide racy window; one
    # with fine timestamps only the kernel's clock tick.
    fine = any(stat[1] % 1_000_000_000 for stat in now.values())
    return at - (FINE_RACY_NS if fine else RACY_NS)


def _edited(
    site_dir: Path, now: Mapping[str, Stat], then: Mapping[str, list[int]], at: int
) -> frozenset[str] | None:
    """The Markdown files under content/ that may have changed, when no other input did
    and no file came or went (a folder's own stat changes when an editor saves by
    renaming: its files are compared one by one instead)."""
    if now.keys() != then.keys():
        return None
    content = f"{site_dir.resolve()}/content/"
    racy = _racy_before(now, at)
    edited = set()
    for path, stat in now.items():
        if path.endswith("/"):
            continue
        if tuple(then[path]) == stat and stat[1] <= racy and stat[2] <= racy:
            continue
        if not (path.startswith(content) and path.endswith(".md")):
            return None
        edited.add(path[len(content) - len("content/") :])
    return frozenset(edited)


def _tampered(
    output_dir: Path, outputs: Mapping[str, list[int]], seen: dict[str, list[int]]
) -> frozenset[str]:
    """The output files whose size or mtime differ from what the last build left (and,
    into `seen`, the stats of the ones that do not)."""
    root = str(output_dir)
    found = []
    stats = stat_many([f"{root}/{rel}" for rel in outputs])
    for (rel, (size, mtime)), st in zip(outputs.items(), stats, strict=True):
        if st is None or st.st_size != size or st.st_mtime_ns != mtime:
            found.append(rel)
        else:
            seen[rel] = [size, mtime]
    return frozenset(found)


# -- what the pipeline asks of this module ----------------------------------------------
SeenOutputs = tuple[Path | None, Mapping[str, list[int]] | None]  # from `check`


def aware(now: datetime) -> datetime:
    """`now` with a time zone (UTC when it has none)."""
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def search_due(options: BuildOptions, output_dir: Path) -> bool:
    """True when this build should index and the index was left behind the pages."""
    return options.search_index and not options.skip_search and search_is_stale(output_dir)


def stamp_key(options: BuildOptions, baked: Mapping[str, BakedThread]) -> str:
    """What besides files shapes a build's output: its options and the baked comments."""
    out = str(options.output_dir.resolve()) if options.output_dir else None
    comments = hashlib.sha256()
    for thread_id in sorted(baked):
        item = baked[thread_id]
        comments.update(f"{thread_id}\0{item.last_id}\0{item.likes}\0".encode())
        comments.update(hashlib.sha256(item.html.encode()).digest())
    return options_key(
        [options.drafts, options.future, out, options.base_url, options.search_index,
         options.skip_search, comments.hexdigest()]
    )  # fmt: skip


def snapshot_for(site_dir: Path, theme: str, taken: Snapshot | None) -> Snapshot | None:
    """The inputs' stats before a build reads them (`taken` by the up-to-date check
    moments ago, when it was for this theme); None when the theme cannot be found."""
    try:
        theme_dir = resolve_theme(theme, site_dir)
    except ThemeError:
        return None
    if taken is not None and (taken.theme, taken.theme_dir) == (theme, str(theme_dir.resolve())):
        return taken
    return take_snapshot(site_dir, theme, theme_dir)


def seen_in(seen: SeenOutputs, output_dir: Path) -> Mapping[str, list[int]] | None:
    """The stats (size, mtime) the up-to-date check found of the output files that were
    as the last build left them, when it looked at `output_dir`."""
    folder, stats = seen
    if folder is None or stats is None or folder.resolve() != output_dir.resolve():
        return None
    return stats


def untouched(
    seen: SeenOutputs, output_dir: Path, changed: Iterable[str], removed: Iterable[str]
) -> Mapping[str, list[int]] | None:
    """The output stats the up-to-date check found, less the files the build wrote."""
    stats = seen_in(seen, output_dir)
    if stats is None:
        return None
    touched = {*changed, *removed}
    return {path: stat for path, stat in stats.items() if path not in touched}


def record_build(
    site_dir: Path,
    snapshot: Snapshot,
    *,
    key: str,
    output_dir: Path,
    outputs: Iterable[str],
    pages: int,
    documents: Iterable[Document],
    diagnostics: Sequence[Diagnostic],
    options: BuildOptions,
    base_url: str,
    untouched: Mapping[str, list[int]] | None,
) -> None:
    """Write the stamp of a successful build (not when the search index failed: the next
    build should try again). It holds until the next scheduled post falls due."""
    if any(d.file == SEARCH_FILE for d in diagnostics):
        return
    now = aware(options.now)
    due = [
        doc.date
        for doc in documents
        if doc.kind == "post" and doc.date is not None and doc.date > now
    ]
    save_stamp(
        site_dir,
        snapshot,
        key=key,
        output_dir=output_dir,
        outputs=outputs,
        untouched=untouched,
        pages=pages,
        valid_until=None if options.future or not due else min(due),
        diagnostics=diagnostics,
        base_url=base_url,
    )

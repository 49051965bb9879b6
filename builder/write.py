"""Stage 5, write: output files into a fresh folder, then swap it into place.

The new tree is built beside the output folder; only when it is complete (pages, static
files, search index, manifest) is it renamed into place. On any error the previous
output folder is left exactly as it was. A file whose bytes did not change is hard-linked
from the previous output, so it keeps its mtime (and costs no write).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from builder.manifest import (
    MANIFEST_NAME,
    FileEntry,
    FileKind,
    Manifest,
    ManifestError,
    Thread,
    read_manifest,
)
from builder.model import Diagnostic, OutputFile, Placed
from builder.parallel import run_indexed
from builder.search import clear_search_stale, mark_search_stale
from builder.write_staged import apply_plan, plan_changes, recover_staged


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What the write stage did."""

    manifest: Manifest | None  # None when nothing was swapped in
    changed: tuple[str, ...]  # output paths that are new or whose bytes changed
    removed: tuple[str, ...]  # output paths of the previous build that are gone
    diagnostics: tuple[Diagnostic, ...]
    search_seconds: float | None = None  # how long the search index took; None: not made


class Tree:
    """The new output tree under construction, reusing unchanged files of the old one."""

    def __init__(self, tmp: Path, old_dir: Path, old: Manifest | None) -> None:
        self.tmp, self.old_dir, self.old = tmp, old_dir, old
        self.entries: dict[str, FileEntry] = {}
        self.changed: list[str] = []

    @classmethod
    def beside(cls, output_dir: Path, old: Manifest | None = None) -> Tree:
        """A new, empty tree in a hidden folder beside `output_dir` (swapped in by
        write_output, removed by `discard` or by the next build's recover_output)."""
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = output_dir.parent / f".{output_dir.name}.new-{secrets.token_hex(4)}"
        tmp.mkdir()
        return cls(tmp, output_dir, old)

    def discard(self) -> None:
        """Remove the tree when it was not swapped in."""
        shutil.rmtree(self.tmp, ignore_errors=True)

    def put_all(self, files: Sequence[OutputFile]) -> None:
        """`put` every file not placed yet; the hashing and writing run across processes
        when many."""
        todo = [out for out in files if out.placed is None]
        placed = iter(run_indexed(lambda i: self.place(todo[i].path, todo[i].data), len(todo)))
        for out in files:
            result = out.placed or next(placed)
            self.record(out.path, out.kind, out.inputs, *result)

    def place(self, path: str, data: bytes) -> Placed:
        """Write (or link from the old tree) one file: its digest, size and whether it is
        new. Touches only the disk, so it may run in a forked worker (the render stage's:
        see render_site's `place`)."""
        if not _safe_path(path):
            raise ValueError(f"output path {path!r} would escape the output folder")
        digest = hashlib.sha256(data).hexdigest()
        # plain strings and os calls: thousands of pages, each a folder of its own
        target = f"{self.tmp}/{path}"
        _make_parent(target)
        if self._reuse(path, digest, len(data), target):
            return digest, len(data), False
        _write_new(target, data)
        return digest, len(data), True

    def record(
        self, path: str, kind: FileKind, inputs: Sequence[str], digest: str, size: int, new: bool
    ) -> None:
        if new:
            self.changed.append(path)
        self.entries[path] = FileEntry(digest, size, kind, tuple(sorted(set(inputs))))

    def copy(self, path: str, source: Path, kind: FileKind, inputs: Sequence[str]) -> None:
        """Copy a file (a static file) without reading it into memory at once."""
        with source.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        size = source.stat().st_size
        target = self.tmp / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not self._reuse(path, digest, size, target):
            shutil.copyfile(source, target)
            self.changed.append(path)
        self.entries[path] = FileEntry(digest, size, kind, tuple(sorted(set(inputs))))

    def keep(self, old: Manifest, kind: FileKind) -> None:
        """Carry the previous build's files of one kind over unchanged (linked, not copied)."""
        for path, entry in sorted(old.files.items()):
            if entry.kind != kind or path in self.entries:
                continue
            target = self.tmp / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if self._reuse(path, entry.sha256, entry.size, target):
                self.entries[path] = entry

    def _reuse(self, path: str, digest: str, size: int, target: str | Path) -> bool:
        entry = self.old.files.get(path) if self.old else None
        if entry is None or entry.sha256 != digest or entry.size != size:
            return False
        previous = self.old_dir / path
        try:
            if previous.stat().st_size != size:
                return False
            os.link(previous, target)
        except OSError:
            return False
        return True


def write_output(
    files: Sequence[OutputFile],
    *,
    site_dir: Path,
    output_dir: Path,
    static_files: Sequence[str] = (),
    threads: Mapping[str, Thread] | None = None,
    redirects: Mapping[str, str] | None = None,
    base_url: str = "",
    keep_search: bool = False,
    previous: Manifest | None = None,
    tree: Tree | None = None,
) -> WriteResult:
    """Write a complete new output folder and swap it in, or leave the old one untouched.

    `previous`: the output's manifest when the caller has already read it. `tree`: the
    new tree (`Tree.beside`) the render stage has written some `files` into (`placed`);
    the output is then written whole, never in place. It is removed on failure.
    """
    problems = _check_paths(files, static_files)
    problems.extend(_check_output_dir(site_dir, output_dir))
    if problems:
        if tree is not None:
            tree.discard()
        return WriteResult(None, (), (), tuple(problems))
    if tree is None:
        recover_output(output_dir)
    try:
        old = previous or read_manifest(output_dir)
    except ManifestError:
        old = None  # an unreadable manifest only means nothing is reused
    if old is not None and output_dir.is_dir() and tree is None:
        return _write_incremental(
            files,
            old=old,
            site_dir=site_dir,
            output_dir=output_dir,
            static_files=static_files,
            threads=threads or {},
            redirects=redirects or {},
            base_url=base_url,
            keep_search=keep_search,
        )
    tree = tree or Tree.beside(output_dir, old)
    tmp = tree.tmp
    try:
        tree.put_all(files)
        for rel in static_files:
            tree.copy(_static_target(rel), site_dir / rel, "static", (rel,))
        if keep_search and old is not None and any(e.kind == "search" for e in old.files.values()):
            tree.keep(old, "search")
        if any(d.severity == "error" for d in problems):
            shutil.rmtree(tmp, ignore_errors=True)
            return WriteResult(None, (), (), tuple(problems))
        manifest = Manifest(
            files=tree.entries,
            threads=dict(threads or {}),
            redirects=dict(redirects or {}),
            base_url=base_url,
        )
        _write_manifest(manifest.to_json().encode("utf-8"), tmp, output_dir)
        _swap(tmp, output_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    removed = sorted(set(old.files) - set(tree.entries)) if old else []
    return WriteResult(manifest, tuple(sorted(tree.changed)), tuple(removed), tuple(problems))


def _write_incremental(
    files: Sequence[OutputFile],
    *,
    old: Manifest,
    site_dir: Path,
    output_dir: Path,
    static_files: Sequence[str],
    threads: Mapping[str, Thread],
    redirects: Mapping[str, str],
    base_url: str,
    keep_search: bool,
) -> WriteResult:
    """Write only what changed into the existing output (see builder.write_staged)."""
    statics = [(_static_target(rel), site_dir / rel, (rel,)) for rel in static_files]
    plan = plan_changes(files, statics, output_dir=output_dir, old=old)
    pages = {"html", "redirect"}
    pages_changed = any(plan.entries[p].kind in pages for p in plan.changed) or any(
        e.kind in pages for p, e in old.files.items() if p not in plan.entries
    )
    had_index = any(e.kind == "search" for e in old.files.values())
    kept = had_index and keep_search
    if kept:
        plan.keep("search")  # the index as it was: behind the pages when they changed
        if pages_changed:  # before the pages: a build killed now re-indexes next time
            mark_search_stale(output_dir)
    else:
        clear_search_stale(output_dir)  # the index comes with the pages, or there is none
    manifest, changed, removed = apply_plan(
        plan, output_dir=output_dir, threads=threads, redirects=redirects, base_url=base_url
    )
    return WriteResult(manifest, tuple(sorted(set(changed))), tuple(sorted(set(removed))), ())


def _write_manifest(data: bytes, tmp: Path, output_dir: Path) -> None:
    """Write the manifest, keeping the previous file (and its mtime) when nothing changed."""
    previous, target = output_dir / MANIFEST_NAME, tmp / MANIFEST_NAME
    try:
        if previous.read_bytes() == data:
            os.link(previous, target)
            return
    except OSError:
        pass
    target.write_bytes(data)


def _static_target(rel: str) -> str:
    """static/images/a.png is served at /images/a.png."""
    return PurePosixPath(rel).relative_to("static").as_posix()


def _check_paths(files: Sequence[OutputFile], static_files: Sequence[str]) -> list[Diagnostic]:
    """Every output path is relative, stays inside the output folder and is unique."""
    problems: list[Diagnostic] = []
    owners: dict[str, str] = {}
    # a generated file is named by its first source file; "" = made by Quire itself
    claims = [(f.path, _owner(f)) for f in files]
    claims += [(_static_target(rel), rel) for rel in static_files]
    for path, owner in sorted(claims, key=lambda claim: claim[1] != ""):
        if not _safe_path(path):
            problems.append(
                Diagnostic(
                    "error",
                    owner or "theme",
                    f"output path {path!r} would escape the output folder",
                )
            )
        elif path == MANIFEST_NAME:
            problems.append(
                Diagnostic("error", owner or "theme", f"{path} is reserved for the manifest")
            )
        elif path in owners:
            problems.append(
                Diagnostic(
                    "error",
                    owner or "theme",
                    f"two files would be written to {path}: also made from {owners[path]}"
                    if owners[path]
                    else f"would overwrite {path}, which Quire generates",
                    "Rename one of them (slug, alias or static file).",
                )
            )
        else:
            owners[path] = owner
    return problems


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def _make_parent(target: str) -> None:
    """Make the folder `target` goes in; safe when two workers race to make it."""
    parent = target.rpartition("/")[0]
    try:
        os.mkdir(parent)  # noqa: PTH102  # usually the page's own new folder
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(parent, exist_ok=True)  # noqa: PTH103


def _write_new(target: str, data: bytes) -> None:
    """Write `data` to the file `target` (as Path.write_bytes, with fewer objects made)."""
    handle = os.open(target, _CREATE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


def _safe_path(path: str) -> bool:
    """Relative and inside the output folder: no ".." segment (what PurePosixPath(path)
    .parts would show, without a path object for each of thousands of files)."""
    return (
        bool(path)
        and not path.startswith("/")
        and ".." not in path.split("/")
        and ("\\" not in path)
    )


def _owner(out: OutputFile) -> str:
    return next((i for i in out.inputs if "/" in i), "")


def _check_output_dir(site_dir: Path, output_dir: Path) -> list[Diagnostic]:
    """Refuse output folders that would overwrite the site or a folder Quire did not make."""
    site, out = site_dir.resolve(), output_dir.resolve()
    name = str(output_dir)
    if out == site or site.is_relative_to(out):
        return [Diagnostic("error", name, "the output folder would contain the site itself")]
    for inner in ("content", "static", "themes"):
        if out.is_relative_to(site / inner):
            return [Diagnostic("error", name, f"the output folder is inside {inner}/")]
    if out.exists() and any(out.iterdir()) and not (out / MANIFEST_NAME).is_file():
        return [
            Diagnostic(
                "error",
                name,
                "the output folder exists and was not made by Quire; refusing to replace it",
                "Choose another --output folder, or empty this one.",
            )
        ]
    return []


def recover_output(output_dir: Path) -> None:
    """Clean up after a build that was killed: drop half-built trees, restore a lost output."""
    if not output_dir.parent.is_dir():
        return
    recover_staged(output_dir)
    for stale in sorted(output_dir.parent.glob(f".{output_dir.name}.new-*")):
        shutil.rmtree(stale, ignore_errors=True)
    for aside in sorted(output_dir.parent.glob(f".{output_dir.name}.old-*")):
        if output_dir.exists():
            shutil.rmtree(aside, ignore_errors=True)
        else:  # killed between the two renames of _swap: the old output is the one to keep
            aside.rename(output_dir)


def _swap(new: Path, target: Path) -> None:
    """Rename the new tree into place; the old one is removed only after that succeeded."""
    if not target.exists():
        new.rename(target)
        return
    aside = target.parent / f".{target.name}.old-{secrets.token_hex(4)}"
    target.rename(aside)
    try:
        new.rename(target)
    except OSError:
        aside.rename(target)
        raise
    shutil.rmtree(aside, ignore_errors=True)

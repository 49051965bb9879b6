"""Incremental write: stage only the files that changed, then apply them with a journal.

Rebuilding a large site into a fresh folder costs a link or copy per file even when one
post changed. When a previous output (with its manifest) exists, the write stage instead:

1. compares each new file's sha256 with the previous manifest; unchanged files are left
   alone (same bytes, same mtime; publishing uploads nothing for them);
2. writes the changed files and the new manifest into a staging folder beside the output
   (flat, as ``files/<n>`` for the n-th changed path: mirroring the output's folders would
   create and delete a folder per page, which on some file systems slows every later
   file creation);
3. writes ``JOURNAL.json`` (changed and removed paths) into it: the commit point;
4. moves each staged file into place (``os.replace``, atomic per file), deletes removed
   files, then moves the manifest, and drops the staging folder.

Before the commit point nothing in the output folder has changed, so a failed or killed
build leaves it exactly as it was. After it, a killed build is finished by the next run
(`recover_staged` replays the journal; every step is idempotent).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from builder.manifest import MANIFEST_NAME, FileEntry, FileKind, Manifest, Thread
from builder.model import OutputFile

JOURNAL = "JOURNAL.json"
NUMBERED = "numbered"  # the journal's "staged" layout: files/<n> for its n-th changed path


class _Plan:
    """The new manifest's entries and what must be written or removed to get there."""

    def __init__(self, output_dir: Path, old: Manifest) -> None:
        self.output_dir, self.old = output_dir, old
        self.root = str(output_dir)
        self.entries: dict[str, FileEntry] = {}
        self.data: dict[str, bytes] = {}  # changed path -> new bytes
        self.copies: dict[str, Path] = {}  # changed static file -> its source

    def _same(self, path: str, digest: str, size: int) -> bool:
        entry = self.old.files.get(path)
        if entry is None or entry.sha256 != digest or entry.size != size:
            return False
        try:  # the file must still be there (someone may have deleted it by hand)
            return os.stat(f"{self.root}/{path}").st_size == size  # noqa: PTH116  # hot loop
        except OSError:
            return False

    def put(self, out: OutputFile) -> None:
        if out.reused:
            entry = self.old.files[out.path]
            if self._same(out.path, entry.sha256, entry.size):
                if entry.inputs != out.inputs or entry.kind != out.kind:  # else keep it as is
                    inputs = tuple(sorted(set(out.inputs)))
                    entry = FileEntry(entry.sha256, entry.size, out.kind, inputs)
                self.entries[out.path] = entry
                return
            raise FileNotFoundError(out.path)  # reused but gone: caller re-renders
        inputs = tuple(sorted(set(out.inputs)))
        digest = hashlib.sha256(out.data).hexdigest()
        if not self._same(out.path, digest, len(out.data)):
            self.data[out.path] = out.data
        self.entries[out.path] = FileEntry(digest, len(out.data), out.kind, inputs)

    def copy(self, path: str, source: Path, inputs: tuple[str, ...]) -> None:
        with source.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        size = source.stat().st_size
        if not self._same(path, digest, size):
            self.copies[path] = source
        self.entries[path] = FileEntry(digest, size, "static", inputs)

    def keep(self, kind: FileKind) -> None:
        for path, entry in self.old.files.items():
            if entry.kind == kind and path not in self.entries:
                self.entries[path] = entry

    @property
    def changed(self) -> list[str]:
        return sorted([*self.data, *self.copies])


def plan_changes(
    files: Sequence[OutputFile],
    statics: Iterable[tuple[str, Path, tuple[str, ...]]],
    *,
    output_dir: Path,
    old: Manifest,
) -> _Plan:
    """Compare the new files with the previous output; raises FileNotFoundError if a file
    the render stage reused has disappeared from the output folder."""
    plan = _Plan(output_dir, old)
    for out in files:
        plan.put(out)
    for path, source, inputs in statics:
        plan.copy(path, source, inputs)
    return plan


def apply_plan(
    plan: _Plan,
    *,
    output_dir: Path,
    threads: Mapping[str, Thread],
    redirects: Mapping[str, str],
    base_url: str,
) -> tuple[Manifest, list[str], list[str]]:
    """Stage the changed files and the manifest, commit the journal, apply it.

    Returns the manifest and the output paths changed and removed.
    """
    entries = dict(plan.entries)
    manifest = Manifest(
        files=entries, threads=dict(threads), redirects=dict(redirects), base_url=base_url
    )
    removed = sorted(set(plan.old.files) - set(entries))
    changed = plan.changed
    if not changed and not removed and manifest == plan.old:
        return manifest, [], []  # a no-op build touches nothing at all
    _stage_and_apply(
        output_dir, plan.data, plan.copies, manifest.to_json().encode("utf-8"), removed
    )
    return manifest, changed, removed


def apply_patch(output_dir: Path, files: Mapping[str, bytes], manifest_text: str) -> None:
    """Replace these files and the manifest, the same all-or-nothing way as `apply_plan`."""
    _stage_and_apply(output_dir, files, {}, manifest_text.encode("utf-8"), [])


def _stage_and_apply(
    output_dir: Path,
    data: Mapping[str, bytes],
    copies: Mapping[str, Path],
    manifest_bytes: bytes,
    removed: list[str],
) -> None:
    changed = sorted([*data, *copies])
    stage = output_dir.parent / f".{output_dir.name}.stage-{secrets.token_hex(4)}"
    (stage / "files").mkdir(parents=True)
    try:
        for number, path in enumerate(changed):
            target = stage / "files" / str(number)
            if path in data:
                target.write_bytes(data[path])
            else:
                shutil.copyfile(copies[path], target)
        (stage / MANIFEST_NAME).write_bytes(manifest_bytes)
        journal = {"changed": changed, "removed": removed, "staged": NUMBERED}
        (stage / (JOURNAL + ".tmp")).write_text(json.dumps(journal), encoding="utf-8")
        (stage / (JOURNAL + ".tmp")).replace(stage / JOURNAL)  # the commit point
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    _replay(stage, output_dir)


def _replay(stage: Path, output_dir: Path) -> None:
    """Apply a committed staging folder to the output; safe to run again after a crash."""
    journal = json.loads((stage / JOURNAL).read_text(encoding="utf-8"))
    # else a journal from before numbered staging: the files at their own paths
    numbered = journal.get("staged") == NUMBERED
    for number, path in enumerate(journal["changed"]):
        staged = stage / "files" / (str(number) if numbered else path)
        _move(staged, output_dir / path)
    for path in journal["removed"]:
        target = output_dir / path
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        _prune(target.parent, output_dir)
    if (stage / MANIFEST_NAME).exists():
        (stage / MANIFEST_NAME).replace(output_dir / MANIFEST_NAME)
    shutil.rmtree(stage, ignore_errors=True)


def _move(staged: Path, target: Path) -> None:
    """Move one staged file into place; nothing when an earlier, interrupted replay did."""
    try:
        staged.replace(target)  # one call for the usual case: the folder exists
    except FileNotFoundError:
        if not staged.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        staged.replace(target)


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty by removed files, up to (not including) the root."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def stages_left(output_dir: Path) -> bool:
    """Whether a killed write left a stage beside `output_dir` (for `recover_staged`)."""
    return any(output_dir.parent.glob(f".{output_dir.name}.stage-*"))


def recover_staged(output_dir: Path) -> None:
    """Finish a killed incremental write (committed journal) or drop an unfinished stage."""
    for stage in sorted(output_dir.parent.glob(f".{output_dir.name}.stage-*")):
        if (stage / JOURNAL).is_file() and output_dir.is_dir():
            _replay(stage, output_dir)
        else:
            shutil.rmtree(stage, ignore_errors=True)

"""Which pages need rendering again: every output's inputs, reduced to one fingerprint.

A page's fingerprint hashes the names of its inputs (as the render stage declares them)
together with a value for each: a source file's sha256, a hash of the whole theme, of the
effective settings, of the authors file, or of a list's members in order. A page whose
fingerprint equals the one recorded for it by the last build, and whose file still holds
what that build wrote, is not rendered again.

This relies on the render stage declaring every input a page reads; the random-edit test
(tests/builder/test_incremental.py) checks that against clean builds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from builder.cache import OutputRecord, cache_version
from builder.config import BuildOptions, SiteConfig
from builder.manifest import Manifest


def hash_tree(root: Path) -> str:
    """A hash of every file's relative path and bytes under `root` (a theme folder)."""
    digest = hashlib.sha256()
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def settings_key(config: SiteConfig, options: BuildOptions) -> str:
    """Everything besides content and theme that reaches pages: settings, options, versions."""
    raw = json.dumps(
        [
            cache_version(),
            config.model_dump(mode="json"),
            options.drafts,
            options.future,
            options.base_url,
        ],
        sort_keys=True,
    )
    return hashlib.sha256(raw.encode()).hexdigest()


class Reuse:
    """Fingerprints of this build's outputs, and whether the last build's file still fits."""

    def __init__(
        self,
        *,
        sources: Mapping[str, str],  # site-relative path -> sha256
        theme: str,
        settings: str,
        authors: str,
        previous: Mapping[str, OutputRecord],
        manifest: Manifest | None,
    ) -> None:
        self.values: dict[str, str] = {**sources, "theme": theme, "config": settings}
        self.values["authors"] = authors
        self.theme = theme
        self.previous = previous if manifest is not None else {}
        self.manifest = manifest
        self.lists: dict[str, str] = {}
        self.records: dict[str, OutputRecord] = {}

    def set_list(self, url: str, members: Sequence[str]) -> None:
        """Declare the members (source paths, in order) of the list at `url`."""
        self.lists[url] = hashlib.sha256("\n".join(members).encode()).hexdigest()

    def fingerprint(self, inputs: Iterable[str]) -> str:
        """One hash over the inputs' names and current values."""
        values, parts = self.values, []
        for name in sorted(inputs):  # hot: called for every page of every build
            value = values.get(name)
            if value is None:
                if name.startswith("list:"):
                    value = self.lists.get(name[5:], "-")
                else:
                    value = self.theme if name.startswith("theme:") else "-"
            parts.append(f"{name}\0{value}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def unchanged(self, path: str, fingerprint: str) -> bool:
        """True when the last build wrote `path` from inputs with this same fingerprint."""
        record = self.previous.get(path)
        if record is None or record.fingerprint != fingerprint or self.manifest is None:
            return False
        entry = self.manifest.files.get(path)
        return entry is not None and entry.sha256 == record.sha256

    def record(self, path: str, fingerprint: str, sha256: str = "") -> None:
        """Remember what `path` was made from (its sha256 is filled in by the write stage)."""
        self.records[path] = OutputRecord(fingerprint, sha256)

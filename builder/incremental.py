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
from dataclasses import replace
from pathlib import Path

from builder.cache import BuildCache, OutputRecord, cache_version
from builder.config import BuildOptions, SiteConfig
from builder.load import Sources
from builder.manifest import Manifest, ManifestError, read_manifest
from builder.model import Document
from builder.themes import ThemeError, resolve_theme


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


class _Parts(dict[str, str]):
    """Input name -> "name\0value", filled in on first use."""

    def __init__(self, reuse: Reuse) -> None:
        super().__init__()
        self.reuse = reuse

    def __missing__(self, name: str) -> str:
        part = self[name] = f"{name}\0{self.reuse.value(name)}"
        return part


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
        previous_values: Mapping[str, str] | None = None,
    ) -> None:
        self.values: dict[str, str] = {**sources, "theme": theme, "config": settings}
        self.values["authors"] = authors
        self.theme = theme
        self.previous = previous if manifest is not None else {}
        self.manifest = manifest
        # every input's value in the build that wrote `previous` (see `snapshot`)
        self.previous_values = previous_values if manifest is not None else None
        self.lists: dict[str, str] = {}
        self.members: dict[str, Sequence[str]] = {}  # list URL -> its source paths, in order
        self.docs: Mapping[str, Document] = {}  # source path -> document, for `card:` inputs
        self.records: dict[str, OutputRecord] = {}
        # "name\0value" of every input seen so far: a page's fingerprint is then one
        # sort and one join in C (this runs for every page of every build)
        self._parts = _Parts(self)
        self._parts.update((name, f"{name}\0{v}") for name, v in self.values.items())

    def set_list(self, url: str, members: Sequence[str]) -> None:
        """Declare the members (source paths, in order) of the list at `url`."""
        self.lists[url] = hashlib.sha256("\n".join(members).encode()).hexdigest()
        self.members[url] = members
        self._parts.pop(f"list:{url}", None)

    def set_value(self, name: str, value: str) -> None:
        """Declare the value of a pseudo-input (a thread's baked comments: `comments:<id>`)."""
        self.values[name] = value
        self._parts.pop(name, None)

    def snapshot(self) -> dict[str, str]:
        """Every input's current value (sources, cards, lists, theme, settings, authors,
        baked comments), for the next build to see what changed."""
        values = dict(self.values)
        values.update((f"list:{url}", value) for url, value in self.lists.items())
        values.update((f"card:{path}", doc.card) for path, doc in self.docs.items())
        return values

    def differences(self) -> tuple[set[str], bool] | None:
        """The names of the inputs whose value differs from the last build's (including
        those that are new or gone), and whether the set of inputs is the same (no post
        added or removed); None when the last build's values are unknown."""
        before = self.previous_values
        if not before:
            return None
        now = self.snapshot()
        changed = {name for name in now.keys() | before.keys() if before.get(name) != now.get(name)}
        return changed, now.keys() == before.keys()

    def reuse_unchecked(self, path: str) -> tuple[str, tuple[str, ...]] | None:
        """The last build's fingerprint and inputs of `path`, when its file is still what
        that build wrote. For pages none of whose inputs changed: they are not even
        fingerprinted again."""
        record = self.previous.get(path)
        entry = self.manifest.files.get(path) if self.manifest is not None else None
        if record is None or entry is None or entry.sha256 != record.sha256:
            return None
        return record.fingerprint, entry.inputs

    def fingerprint(self, inputs: Iterable[str]) -> str:
        """One hash over the inputs' names and current values."""
        text = "\n".join(map(self._parts.__getitem__, sorted(inputs)))
        return hashlib.sha256(text.encode()).hexdigest()

    def value(self, name: str) -> str:
        """The current value of one input."""
        value = self.values.get(name)
        if value is None:
            if name.startswith("card:"):
                doc = self.docs.get(name[5:])
                return doc.card if doc is not None else "-"
            if name.startswith("list:"):
                return self.lists.get(name[5:], "-")
            return self.theme if name.startswith("theme:") else "-"
        return value

    def unchanged(self, path: str, fingerprint: str) -> bool:
        """True when the last build wrote `path` from inputs with this same fingerprint."""
        known = self.reuse_unchecked(path)
        return known is not None and known[0] == fingerprint

    def record(self, path: str, fingerprint: str, sha256: str = "") -> None:
        """Remember what `path` was made from (its sha256 is filled in by the write stage)."""
        self.records[path] = OutputRecord(fingerprint, sha256)


def reuse_for(
    store: BuildCache | None,
    sources: Sources,
    site_dir: Path,
    output_dir: Path,
    config: SiteConfig,
    options: BuildOptions,
    tampered: frozenset[str] = frozenset(),
    *,
    outputs: bool = True,
) -> Reuse | None:
    """What the last build into `output_dir` made each file from (None: no cache).

    `tampered`: output files changed or deleted since that build; they are treated as
    never written, so they are rendered and written again. `outputs=False`: only the
    inputs' values (the quick path renders a few pages and reuses none).
    """
    if not options.cache:
        return None
    try:
        theme_dir = resolve_theme(config.theme, site_dir)
        manifest = read_manifest(output_dir) if outputs else Manifest()
    except (ThemeError, ManifestError):
        return None
    if tampered and manifest is not None:
        kept = {p: e for p, e in manifest.files.items() if p not in tampered}
        manifest = replace(manifest, files=kept)
    docs = (*sources.posts, *sources.pages)
    return Reuse(
        sources={s.path: s.sha256 for s in docs},
        theme=hash_tree(theme_dir),
        settings=settings_key(config, options),
        authors=sources.authors.sha256 if sources.authors else "-",
        previous=store.get_outputs(output_dir) if store is not None and outputs else {},
        manifest=manifest,
        previous_values=store.get_values(output_dir) if store is not None else None,
    )

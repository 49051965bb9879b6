"""The build manifest: what a build produced, and what each file was made from.

The manifest is the one contract between the builder and everything downstream:
- the publisher diffs it against the bucket (by ``sha256``) and orders uploads by ``kind``;
- the interaction API learns which comment threads exist from ``threads``;
- incremental rebuilds read ``inputs`` to know which outputs an edit touches.

It is written as ``MANIFEST_NAME`` at the root of the output folder, is never published,
and is serialised deterministically (sorted keys, no timestamps).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

MANIFEST_NAME = "quire-manifest.json"
MANIFEST_VERSION = 1

# What a file is, for publishing order and cache headers:
# asset    fingerprinted theme asset (immutable, uploaded first)
# static   the site's own static/ files and images (not fingerprinted)
# html     a page (post, list, tag page, 404, ...)
# redirect an alias page that redirects to its post's URL
# search   the Pagefind index
# feed     Atom / JSON feeds
# meta     sitemap.xml, robots.txt (uploaded last)
FileKind = Literal["asset", "static", "html", "redirect", "search", "feed", "meta"]
FILE_KINDS: tuple[FileKind, ...] = ("asset", "static", "html", "redirect", "search", "feed", "meta")


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One output file: its content hash, size, kind and the inputs it was made from."""

    sha256: str
    size: int
    kind: FileKind
    inputs: tuple[str, ...] = ()  # site-relative source paths, sorted


@dataclass(frozen=True, slots=True)
class Thread:
    """A published article that accepts comments and likes, keyed by its stable id."""

    url: str  # site-relative URL path, e.g. "/posts/hello/"
    title: str
    date: str | None = None  # ISO 8601, None for standalone pages
    source: str = ""  # site-relative source path


@dataclass(frozen=True, slots=True)
class Manifest:
    """Everything a build produced, keyed by output path (POSIX, relative to the output root)."""

    files: dict[str, FileEntry] = field(default_factory=dict)
    threads: dict[str, Thread] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)  # alias URL path -> target URL path
    base_url: str = ""
    version: int = MANIFEST_VERSION

    def to_json(self) -> str:
        """Serialise deterministically: same manifest, same bytes."""
        data: dict[str, Any] = {
            "version": self.version,
            "base_url": self.base_url,
            "files": {p: _entry_dict(e) for p, e in sorted(self.files.items())},
            "threads": {k: _thread_dict(t) for k, t in sorted(self.threads.items())},
            "redirects": dict(sorted(self.redirects.items())),
        }
        return _dumps(data) + "\n"

    @classmethod
    def from_json(cls, text: str, *, origin: str = "manifest") -> Manifest:
        """Parse a manifest; ``origin`` names the file in error messages."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ManifestError(f"{origin}: not valid JSON ({exc})") from exc
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            raise ManifestError(
                f"{origin}: unsupported manifest version {data.get('version')!r} "
                f"(expected {MANIFEST_VERSION}); rebuild the site with this Quire"
            )
        try:
            files = {
                # positional: thousands of entries, keyword arguments cost a third more
                p: FileEntry(e["sha256"], int(e["size"]), e["kind"], tuple(e.get("inputs", ())))
                for p, e in data.get("files", {}).items()
            }
            threads = {k: Thread(**t) for k, t in data.get("threads", {}).items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise ManifestError(f"{origin}: malformed entry ({exc})") from exc
        return cls(
            files=files,
            threads=threads,
            redirects=dict(data.get("redirects", {})),
            base_url=str(data.get("base_url", "")),
        )


class ManifestError(ValueError):
    """A manifest could not be read."""


def _dumps(value: Any, indent: str = "") -> str:
    """Exactly `json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)`, faster.

    With an indent, json's C encoder is not used and a 5,000-post manifest takes a
    second to write; the manifest's bytes must stay the same (publishing diffs them).
    """
    kind = type(value)
    if kind is str:
        return _ENCODE(value)
    if kind is int:
        return str(value)
    inner = indent + " "
    if kind is dict and all(type(key) is str for key in value):
        if not value:
            return "{}"
        items = [f"{inner}{_ENCODE(k)}: {_dumps(v, inner)}" for k, v in sorted(value.items())]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        items = [inner + _dumps(item, inner) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    # anything else (None, floats, non-string keys...): json itself; JSON text holds no
    # raw newline inside a string, so re-indenting its lines is exact
    text = json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)
    return text.replace("\n", "\n" + indent)


_ENCODE = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False
_THREAD_FIELDS = tuple(f.name for f in fields(Thread))


def _thread_dict(thread: Thread) -> dict[str, Any]:
    """`asdict(thread)` without its deep copy (every field is a string or None)."""
    return {name: getattr(thread, name) for name in _THREAD_FIELDS}


def _entry_dict(entry: FileEntry) -> dict[str, Any]:
    return {
        "sha256": entry.sha256,
        "size": entry.size,
        "kind": entry.kind,
        "inputs": list(entry.inputs),
    }


def read_manifest(output_dir: Path) -> Manifest | None:
    """Read the manifest of a built output folder, or None when there is none."""
    path = output_dir / MANIFEST_NAME
    if not path.is_file():
        return None
    return Manifest.from_json(path.read_text(encoding="utf-8"), origin=str(path))

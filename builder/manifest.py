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
from collections.abc import Iterable, Mapping
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
# search   the search index (builder.search_index)
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
        """Serialise deterministically (same manifest, same bytes), one line per file,
        thread and redirect: diffs stay readable, and json's C encoder writes a 5,000-post
        manifest in milliseconds."""
        threads = ((k, _thread_dict(t)) for k, t in sorted(self.threads.items()))
        return (
            f'{{"base_url":{_dump(self.base_url)},\n'
            f'"files":{_files_block(self.files)},\n'
            f'"redirects":{_block(sorted(self.redirects.items()))},\n'
            f'"threads":{_block(threads)},\n'
            f'"version":{_dump(self.version)}}}\n'
        )

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


def _dump(value: Any) -> str:
    """Compact JSON with sorted keys; strings, numbers, None, lists and string-keyed
    dicts are written here, which is several times faster than json.dumps per entry."""
    kind = type(value)
    if kind is str:
        return _ENCODE(value)
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    if kind is list or kind is tuple:
        return "[" + ",".join(map(_dump, value)) + "]"
    if kind is dict and all(type(key) is str for key in value):
        items = sorted(value.items())
        return "{" + ",".join(f"{_ENCODE(k)}:{_dump(v)}" for k, v in items) + "}"
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _files_block(files: Mapping[str, FileEntry]) -> str:
    """`_block` of the file entries, formatted directly (thousands of them, every build):
    the same bytes as `_block` of each entry as a dict, keys in sorted order."""
    lines = [_entry_line(path, e) for path, e in sorted(files.items())]
    return "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"


def _entry_line(path: str, e: FileEntry) -> str:
    enc = _ENCODE
    return (
        f'{enc(path)}:{{"inputs":[{",".join(map(enc, e.inputs))}],"kind":{enc(e.kind)},'
        f'"sha256":{enc(e.sha256)},"size":{int(e.size)}}}'
    )


# -- editing a written manifest in place -----------------------------------------------
# A build that rewrites one page changes one line of a manifest of thousands: finding
# that line costs microseconds, parsing and writing the whole manifest a tenth of a second.
_FILES_AT = '"files":{\n'


def _line_span(text: str, path: str) -> tuple[int, int] | None:
    """Where the line of file `path` is in `text` (as `to_json` writes it)."""
    files = text.find(_FILES_AT)
    end_of_files = text.find('\n"redirects":', files)
    start = text.find(f"\n{_ENCODE(path)}:{{", files, end_of_files)
    if files < 0 or end_of_files < 0 or start < 0:
        return None
    end = text.find("\n", start + 1)
    return (start + 1, end) if end > 0 else None


def entry_in(text: str, path: str) -> FileEntry | None:
    """The entry of file `path` in manifest `text`, read without parsing the rest."""
    span = _line_span(text, path)
    if span is None:
        return None
    line = text[span[0] : span[1]].removesuffix(",")
    try:
        e = json.loads("{" + line + "}")[path]
        return FileEntry(e["sha256"], int(e["size"]), e["kind"], tuple(e["inputs"]))
    except (ValueError, KeyError, TypeError):
        return None


def with_entries(text: str, entries: Mapping[str, FileEntry]) -> str | None:
    """Manifest `text` with the entries of these files, which it lists, replaced; None
    when one is missing (the caller then writes the whole manifest)."""
    for path, entry in entries.items():
        span = _line_span(text, path)
        if span is None:
            return None
        comma = "," if text[span[0] : span[1]].endswith(",") else ""
        text = text[: span[0]] + _entry_line(path, entry) + comma + text[span[1] :]
    return text


def lists_kind(text: str, kind: FileKind) -> bool:
    """Whether manifest `text` lists any file of `kind`."""
    return f'"kind":{_ENCODE(kind)},' in text


def _block(items: Iterable[tuple[str, Any]]) -> str:
    """A JSON object with one member per line (`items` already in key order)."""
    lines = [f"{_ENCODE(key)}:{_dump(value)}" for key, value in items]
    return "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"


_ENCODE = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False
_THREAD_FIELDS = tuple(f.name for f in fields(Thread))


def _thread_dict(thread: Thread) -> dict[str, Any]:
    """`asdict(thread)` without its deep copy (every field is a string or None)."""
    return {name: getattr(thread, name) for name in _THREAD_FIELDS}


def read_manifest(output_dir: Path) -> Manifest | None:
    """Read the manifest of a built output folder, or None when there is none."""
    path = output_dir / MANIFEST_NAME
    if not path.is_file():
        return None
    return Manifest.from_json(path.read_text(encoding="utf-8"), origin=str(path))

"""The one small interface every publish target implements, and its shared index format.

A target lists what is published (with the content hash Quire recorded when it uploaded
each file), puts and deletes files, and keeps the record of its publish lock (a lease,
see lease.py). Listing never trusts a cache alone: each target keeps an index of hashes
keyed by a cheap validator (an S3 ETag, a local size+mtime) and re-reads the real hash
of any object whose validator changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from builder.publish.lease import LeaseStore

INDEX_VERSION = 1


@dataclass(frozen=True, slots=True)
class ObjectHeaders:
    """HTTP headers stored with a published file."""

    content_type: str
    cache_control: str
    content_encoding: str | None = None

    @property
    def variant(self) -> str:
        """A short digest of the headers: a header policy change re-uploads the file."""
        text = f"{self.content_type}\n{self.cache_control}\n{self.content_encoding or ''}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class RemoteObject:
    """One published file as the target knows it."""

    key: str
    size: int
    sha256: str | None  # None: not uploaded by Quire (no hash recorded)
    variant: str | None = None
    kind: str | None = None
    token: str = ""  # validator of the index entry (ETag+size, or size+mtime)
    orphaned_at: float | None = None  # when a superseded asset stopped being referenced


@dataclass(frozen=True, slots=True)
class RemoteState:
    """What a target holds: its files, and paths changed but not yet invalidated."""

    objects: dict[str, RemoteObject]
    pending_invalidation: tuple[str, ...] = ()
    index_current: bool = True  # the stored index matched the listing exactly


class Target(Protocol):
    """A place a site is published to."""

    url: str
    supports_encoding: bool  # can serve Content-Encoding: gzip objects

    def list_objects(self) -> RemoteState:
        """Everything published, keyed by site-relative path, with recorded hashes."""
        ...

    def put(
        self, key: str, body: bytes, *, headers: ObjectHeaders, sha256: str, kind: str
    ) -> RemoteObject:
        """Store one file (atomically: readers see the old or the new bytes)."""
        ...

    def delete(self, keys: Sequence[str]) -> None:
        """Remove files; missing ones are not an error."""
        ...

    def save_index(self, objects: Mapping[str, RemoteObject], pending: Sequence[str]) -> None:
        """Record the hashes of what is published, and what still needs invalidating."""
        ...

    def lease_store(self) -> LeaseStore:
        """Where the publish lock's lease is kept (lease.py holds the rules)."""
        ...


def index_to_json(objects: Mapping[str, RemoteObject], pending: Sequence[str] = ()) -> str:
    """Serialise an index deterministically."""
    data = {
        "version": INDEX_VERSION,
        "objects": {k: _entry(o) for k, o in sorted(objects.items())},
        "pending_invalidation": sorted(set(pending)),
    }
    return json.dumps(data, indent=0, sort_keys=True) + "\n"


def index_from_json(text: str) -> RemoteState:
    """Parse an index; an unreadable or foreign one counts as empty (it is only a cache)."""
    try:
        data = json.loads(text)
        if data.get("version") != INDEX_VERSION:
            return RemoteState({})
        objects = {
            key: RemoteObject(
                key=key,
                size=int(e["size"]),
                sha256=e.get("sha256"),
                variant=e.get("variant"),
                kind=e.get("kind"),
                token=str(e.get("token", "")),
                orphaned_at=e.get("orphaned_at"),
            )
            for key, e in data["objects"].items()
        }
        pending = tuple(str(p) for p in data.get("pending_invalidation", ()))
    except (ValueError, KeyError, TypeError, AttributeError):
        return RemoteState({})
    return RemoteState(objects, pending)


def _entry(obj: RemoteObject) -> dict[str, Any]:
    entry = asdict(obj)
    del entry["key"]
    return entry

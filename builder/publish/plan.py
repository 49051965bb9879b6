"""The plan of a publish: which files to upload, in which order, and which to delete.

Pure: it compares a build's manifest with what the target holds and touches nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from builder.manifest import MANIFEST_NAME, Manifest
from builder.publish.errors import PublishError
from builder.publish.headers import headers_for, is_immutable
from builder.publish.target import ObjectHeaders, RemoteObject

# Upload groups in publish order: what a page points at exists before the page does
# (order.py refines this with the links found in the files).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("assets", ("asset", "static")),
    ("pages", ("html", "redirect")),
    ("search", ("search",)),
    ("feeds", ("feed",)),
    ("meta", ("meta",)),
)
_RESERVED = (".quire", MANIFEST_NAME)


@dataclass(frozen=True, slots=True)
class Upload:
    """One file to put."""

    key: str
    kind: str
    sha256: str
    size: int
    headers: ObjectHeaders
    replaces: bool  # an older version is published: the CDN must forget it


@dataclass(frozen=True, slots=True)
class Plan:
    """What a publish will do."""

    uploads: tuple[Upload, ...]  # in publish order
    deletes: tuple[str, ...]
    deferred: tuple[str, ...]  # superseded assets kept a while for pages cached elsewhere
    unchanged: int
    file_count: int  # files in the build
    remote_count: int  # files Quire published last time
    orphans: dict[str, float] = field(default_factory=dict)  # deferred asset -> orphaned_at

    stale_on_delete: tuple[str, ...] = ()  # deleted files the CDN may still serve

    @property
    def replaced(self) -> tuple[str, ...]:
        """Published files whose content changes: candidates for invalidation."""
        return tuple(u.key for u in self.uploads if u.replaces)

    @property
    def to_invalidate(self) -> tuple[str, ...]:
        """Files the CDN must forget: replaced ones, and deleted ones not content-hashed."""
        return tuple(sorted({*self.replaced, *self.stale_on_delete}))


def make_plan(
    manifest: Manifest,
    remote: Mapping[str, RemoteObject],
    *,
    precompress: bool,
    asset_grace: float,
    now: float,
) -> Plan:
    """Diff the manifest against the target's listing by sha256 (and header variant)."""
    rank = {kind: i for i, (_name, kinds) in enumerate(GROUPS) for kind in kinds}
    uploads: list[Upload] = []
    unchanged = 0
    for key, entry in manifest.files.items():
        check_key(key)
        if entry.kind not in rank:
            raise PublishError(f"{MANIFEST_NAME}: {key!r} has unknown kind {entry.kind!r}")
        headers = headers_for(key, entry.kind, entry.size, precompress=precompress)
        old = remote.get(key)
        if old is not None and old.sha256 == entry.sha256 and old.variant == headers.variant:
            unchanged += 1
            continue
        uploads.append(
            Upload(key, entry.kind, entry.sha256, entry.size, headers, replaces=old is not None)
        )
    uploads.sort(key=lambda u: (rank[u.kind], u.key))

    deletes: list[str] = []
    deferred: list[str] = []
    orphans: dict[str, float] = {}
    for key, obj in sorted(remote.items()):
        if key in manifest.files:
            continue
        # A fingerprinted asset may still be referenced by pages cached in browsers or at
        # the CDN until invalidation completes: keep it for a grace period.
        if obj.kind == "asset" and asset_grace > 0:
            since = obj.orphaned_at if obj.orphaned_at is not None else now
            if now - since < asset_grace:
                deferred.append(key)
                orphans[key] = since
                continue
        deletes.append(key)
    return Plan(
        uploads=tuple(uploads),
        deletes=tuple(deletes),
        deferred=tuple(deferred),
        unchanged=unchanged,
        stale_on_delete=tuple(k for k in deletes if not is_immutable(k, remote[k].kind)),
        file_count=len(manifest.files),
        remote_count=sum(1 for o in remote.values() if o.sha256 is not None),
        orphans=orphans,
    )


def check_key(key: str) -> None:
    """Refuse manifest paths that could escape the site or clash with Quire's own state."""
    path = PurePosixPath(key)
    if (
        not key
        or key.startswith("/")
        or "\\" in key
        or any(part in ("", ".", "..") for part in key.split("/"))
        or path.parts[0] in _RESERVED
        or key.startswith(".quire-")
    ):
        raise PublishError(f"{MANIFEST_NAME}: refusing to publish unsafe path {key!r}")


def mark_orphans(
    objects: Mapping[str, RemoteObject], orphans: Mapping[str, float]
) -> dict[str, RemoteObject]:
    """Record when each deferred asset stopped being referenced, for the next publish."""
    return {key: replace(obj, orphaned_at=orphans.get(key)) for key, obj in objects.items()}

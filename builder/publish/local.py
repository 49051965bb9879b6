"""A local folder as a publish target: same semantics as S3, for the embedded default."""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from builder.publish.errors import TargetError
from builder.publish.target import (
    ObjectHeaders,
    RemoteObject,
    RemoteState,
    index_from_json,
    index_to_json,
)

INDEX_NAME = ".quire-index.json"
LOCK_NAME = ".quire-lock"
LOCK_MUTEX = ".quire-lock-mutex"  # flock'd while the lock record is swapped
TMP_PREFIX = ".quire-tmp-"


class LocalTarget:
    """Publish into a folder; hashes live in a sidecar index written atomically."""

    supports_encoding = False  # a plain folder cannot carry Content-Encoding

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.url = self.root.as_uri()

    def list_objects(self) -> RemoteState:
        """Walk the folder; files whose size or mtime changed since the index are re-hashed."""
        if not self.root.exists():
            return RemoteState({})
        state = self._read_index()
        index = state.objects
        found: dict[str, RemoteObject] = {}
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                path = Path(dirpath) / name
                key = path.relative_to(self.root).as_posix()
                if _reserved(key):
                    continue
                st = path.stat()
                token = f"{st.st_size}:{st.st_mtime_ns}"
                known = index.get(key)
                if known is not None and known.token == token:
                    found[key] = known
                else:
                    found[key] = RemoteObject(
                        key=key, size=st.st_size, sha256=_sha256_file(path), token=token
                    )
        current = found == index
        return RemoteState(found, state.pending_invalidation, index_current=current)

    def put(
        self, key: str, body: bytes, *, headers: ObjectHeaders, sha256: str, kind: str
    ) -> RemoteObject:
        """Write via a temporary file and an atomic rename."""
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{TMP_PREFIX}{secrets.token_hex(8)}"
        try:
            tmp.write_bytes(body)
            tmp.replace(dest)
        finally:
            tmp.unlink(missing_ok=True)
        st = dest.stat()
        return RemoteObject(
            key=key,
            size=st.st_size,
            sha256=sha256,
            variant=headers.variant,
            kind=kind,
            token=f"{st.st_size}:{st.st_mtime_ns}",
        )

    def delete(self, keys: Sequence[str]) -> None:
        """Remove files and the folders they leave empty."""
        for key in keys:
            path = self._path(key)
            path.unlink(missing_ok=True)
            parent = path.parent
            while parent != self.root:
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent

    def save_index(self, objects: Mapping[str, RemoteObject], pending: Sequence[str]) -> None:
        """Write the sidecar index atomically."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{TMP_PREFIX}{secrets.token_hex(8)}"
        tmp.write_text(index_to_json(objects, pending), encoding="utf-8")
        tmp.replace(self.root / INDEX_NAME)

    def lease_store(self) -> FileLeaseStore:
        """The publish lock's record: `.quire-lock` in the folder."""
        return FileLeaseStore(self.root / LOCK_NAME)

    def _read_index(self) -> RemoteState:
        path = self.root / INDEX_NAME
        if not path.is_file():
            return RemoteState({})
        return index_from_json(path.read_text(encoding="utf-8"))

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise TargetError(f"{key!r}: path escapes the publish folder {self.root}")
        return path


def _reserved(key: str) -> bool:
    return key in (INDEX_NAME, LOCK_NAME, LOCK_MUTEX) or key.startswith(TMP_PREFIX)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class FileLeaseStore:
    """The lease record as a file: swapped under flock, replaced by an atomic rename."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)

    def read(self) -> tuple[bytes, str] | None:
        """The record and a digest of it as its version, or None."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return data, hashlib.sha256(data).hexdigest()

    def swap(self, data: bytes, expected: str | None) -> str | None:
        """Write if the record is still `expected`; None when it changed meanwhile."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        mutex = self.path.with_name(LOCK_MUTEX)
        with mutex.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed
            current = self.read()
            if (current[1] if current else None) != expected:
                return None
            tmp = self.path.with_name(f"{TMP_PREFIX}{secrets.token_hex(8)}")
            try:
                tmp.write_bytes(data)
                tmp.replace(self.path)
            finally:
                tmp.unlink(missing_ok=True)
        return hashlib.sha256(data).hexdigest()

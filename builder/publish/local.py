"""A local folder as a publish target: same semantics as S3, for the embedded default."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import socket
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from builder.publish.errors import LockedError, TargetError
from builder.publish.target import (
    ObjectHeaders,
    RemoteObject,
    RemoteState,
    index_from_json,
    index_to_json,
)

INDEX_NAME = ".quire-index.json"
LOCK_NAME = ".quire-lock"
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

    def acquire_lock(self, owner: str, *, stale_after: float) -> None:
        """Create the lock file with O_EXCL; break it when older than stale_after."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = self.root / LOCK_NAME
        for _attempt in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if not self._break_stale(lock, stale_after):
                    break
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(_lock_body(owner), fh)
            self._lock_held = True
            return
        raise LockedError(_locked_message(lock, str(lock)))

    def release_lock(self) -> None:
        """Remove our lock file."""
        if getattr(self, "_lock_held", False):
            (self.root / LOCK_NAME).unlink(missing_ok=True)
            self._lock_held = False

    def _break_stale(self, lock: Path, stale_after: float) -> bool:
        try:
            age = time.time() - lock.stat().st_mtime
        except FileNotFoundError:
            return True  # released meanwhile: try again
        if age < stale_after:
            return False
        # Rename is atomic: of two publishers breaking the same stale lock, one wins.
        aside = lock.with_name(f"{TMP_PREFIX}stale-lock-{secrets.token_hex(4)}")
        with contextlib.suppress(FileNotFoundError):
            lock.rename(aside)
            aside.unlink()
        return True

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
    return key in (INDEX_NAME, LOCK_NAME) or key.startswith(TMP_PREFIX)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _lock_body(owner: str) -> dict[str, object]:
    return {"owner": owner, "host": socket.gethostname(), "pid": os.getpid(), "at": time.time()}


def _locked_message(lock: Path, where: str) -> str:
    try:
        info = json.loads(lock.read_text(encoding="utf-8"))
        who = f"{info.get('owner')} on {info.get('host')} (pid {info.get('pid')})"
    except (OSError, ValueError, AttributeError):
        who = "another publish"
    return (
        f"{where}: {who} is publishing this target; wait for it to finish, "
        f"or delete the lock file if no publish is running"
    )

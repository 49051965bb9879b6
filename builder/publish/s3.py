"""An S3 bucket (or any S3-compatible store) as a publish target.

Quire records each file's SHA-256 in object metadata (`x-amz-meta-quire-sha256`): ETags are
not MD5 for multipart or KMS-encrypted uploads, so they are only used to know whether the
cached index entry for a key is still current; a key whose ETag changed is HEADed.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from builder.publish.errors import LockedError, TargetError
from builder.publish.target import (
    ObjectHeaders,
    RemoteObject,
    RemoteState,
    index_from_json,
    index_to_json,
)

STATE_DIR = ".quire/"  # index and lock, never listed, served or deleted as site files
_PRECONDITION = {"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}


class S3Target:
    """Publish into `s3://bucket[/prefix]` through a boto3 S3 client passed in."""

    supports_encoding = True

    def __init__(self, client: Any, bucket: str, prefix: str = "", *, workers: int = 8) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.workers = workers
        self._lock_etag: str | None = None

    def list_objects(self) -> RemoteState:
        """List the bucket; HEAD only keys whose ETag or size differ from the index."""
        state = self._read_index()
        index = state.objects
        listed: dict[str, RemoteObject] = {}
        stale: list[tuple[str, int, str]] = []
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix) :]
                    if not key or key.startswith(STATE_DIR):
                        continue
                    token = f"{item['ETag']}:{item['Size']}"
                    known = index.get(key)
                    if known is not None and known.token == token:
                        listed[key] = known
                    else:
                        stale.append((key, int(item["Size"]), token))
        except ClientError as exc:
            raise TargetError(f"{self.url}: cannot list the bucket ({_code(exc)})") from exc
        with ThreadPoolExecutor(self.workers) as pool:
            for obj in pool.map(lambda s: self._head(*s), stale):
                listed[obj.key] = obj
        current = not stale and len(listed) == len(index)
        return RemoteState(listed, state.pending_invalidation, index_current=current)

    def put(
        self, key: str, body: bytes, *, headers: ObjectHeaders, sha256: str, kind: str
    ) -> RemoteObject:
        """One PutObject with the headers and the Quire metadata."""
        extra: dict[str, Any] = {}
        if headers.content_encoding:
            extra["ContentEncoding"] = headers.content_encoding
        resp = self.client.put_object(
            Bucket=self.bucket,
            Key=self.prefix + key,
            Body=body,
            ContentType=headers.content_type,
            CacheControl=headers.cache_control,
            Metadata={"quire-sha256": sha256, "quire-variant": headers.variant, "quire-kind": kind},
            **extra,
        )
        return RemoteObject(
            key=key,
            size=len(body),
            sha256=sha256,
            variant=headers.variant,
            kind=kind,
            token=f"{resp['ETag']}:{len(body)}",
        )

    def delete(self, keys: Sequence[str]) -> None:
        """DeleteObjects in batches of 1,000 (the API's limit); any per-key error raises."""
        for start in range(0, len(keys), 1000):
            batch = [{"Key": self.prefix + k} for k in keys[start : start + 1000]]
            resp = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
            )
            errors = resp.get("Errors", [])
            if errors:
                first = errors[0]
                raise TargetError(
                    f"{self.url}: could not delete {first.get('Key')} ({first.get('Code')})"
                )

    def save_index(self, objects: Mapping[str, RemoteObject], pending: Sequence[str]) -> None:
        """Store the index object (a cache: losing it only costs HEAD requests)."""
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._state_key("index.json"),
            Body=index_to_json(objects, pending).encode(),
            ContentType="application/json",
            CacheControl="no-store",
        )

    def acquire_lock(self, owner: str, *, stale_after: float) -> None:
        """Create the lock object with a conditional PUT (If-None-Match: *).

        AWS S3 (since 2024), MinIO, R2 and moto honour the condition. A store that ignores
        it would let two PUTs succeed, so the lock is read back and must carry our nonce:
        on such a store the lock is best effort (the later writer wins, the other stops).
        """
        nonce = uuid.uuid4().hex
        body = json.dumps(
            {
                "owner": owner,
                "host": socket.gethostname(),
                "pid": os.getpid(),
                "at": time.time(),
                "nonce": nonce,
            }
        ).encode()
        # Checked first for stores that ignore If-None-Match (they would let us overwrite).
        current = self._read_lock()
        if current is not None and not self._is_stale(current[0], stale_after):
            raise LockedError(self._locked_message())
        for _attempt in range(2):
            try:
                resp = self.client.put_object(
                    Bucket=self.bucket,
                    Key=self._state_key("lock"),
                    Body=body,
                    IfNoneMatch="*",
                    ContentType="application/json",
                )
            except ClientError as exc:
                if _code(exc) == "NoSuchBucket":
                    raise TargetError(f"{self.url}: bucket {self.bucket!r} does not exist") from exc
                if _code(exc) not in _PRECONDITION:
                    raise TargetError(f"{self.url}: cannot write the lock ({_code(exc)})") from exc
                if not self._break_stale(stale_after):
                    break
                continue
            if self._lock_nonce() == nonce:
                self._lock_etag = resp["ETag"]
                return
            break
        raise LockedError(self._locked_message())

    def _locked_message(self) -> str:
        return (
            f"{self.url}: {self._lock_owner()} is publishing this target; wait for it to "
            f"finish, or delete s3://{self.bucket}/{self._state_key('lock')} if none is running"
        )

    def release_lock(self) -> None:
        """Delete the lock only if it is still the one we wrote (If-Match: our ETag)."""
        if self._lock_etag is None:
            return
        try:
            self.client.delete_object(
                Bucket=self.bucket, Key=self._state_key("lock"), IfMatch=self._lock_etag
            )
        except ClientError as exc:
            if _code(exc) not in _PRECONDITION:
                raise
        self._lock_etag = None

    def _read_lock(self) -> tuple[dict[str, Any], str] | None:
        """The lock's content and ETag, or None when there is no lock."""
        try:
            resp = self.client.get_object(Bucket=self.bucket, Key=self._state_key("lock"))
        except ClientError as exc:
            if _code(exc) in {"NoSuchKey", "404"}:
                return None
            if _code(exc) == "NoSuchBucket":
                raise TargetError(f"{self.url}: bucket {self.bucket!r} does not exist") from exc
            raise
        try:
            info = json.loads(resp["Body"].read())
        except ValueError:
            info = {}
        return (info if isinstance(info, dict) else {}), str(resp["ETag"])

    def _is_stale(self, info: dict[str, Any], stale_after: float) -> bool:
        try:
            at = float(info.get("at", 0))
        except (TypeError, ValueError):
            at = 0.0  # unreadable lock: as old as can be
        return time.time() - at >= stale_after

    def _break_stale(self, stale_after: float) -> bool:
        """Delete the lock if stale; True when it is gone (so a new attempt makes sense)."""
        current = self._read_lock()
        if current is None:
            return True  # released meanwhile
        info, etag = current
        if not self._is_stale(info, stale_after):
            return False
        try:  # conditional delete: of two publishers breaking it, only one succeeds
            self.client.delete_object(Bucket=self.bucket, Key=self._state_key("lock"), IfMatch=etag)
        except ClientError as exc:
            if _code(exc) not in _PRECONDITION:
                raise
        return True

    def _lock_nonce(self) -> str | None:
        current = self._read_lock()
        return None if current is None else str(current[0].get("nonce"))

    def _lock_owner(self) -> str:
        current = self._read_lock()
        if current is None or "owner" not in current[0]:
            return "another publish"
        info = current[0]
        return f"{info.get('owner')} on {info.get('host')} (pid {info.get('pid')})"

    def _head(self, key: str, size: int, token: str) -> RemoteObject:
        resp = self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        meta = {k.lower(): v for k, v in resp.get("Metadata", {}).items()}
        return RemoteObject(
            key=key,
            size=size,
            sha256=meta.get("quire-sha256"),
            variant=meta.get("quire-variant"),
            kind=meta.get("quire-kind"),
            token=token,
        )

    def _read_index(self) -> RemoteState:
        try:
            resp = self.client.get_object(Bucket=self.bucket, Key=self._state_key("index.json"))
        except ClientError as exc:
            if _code(exc) in {"NoSuchKey", "404"}:
                return RemoteState({})
            if _code(exc) == "NoSuchBucket":
                raise TargetError(f"{self.url}: bucket {self.bucket!r} does not exist") from exc
            raise TargetError(f"{self.url}: cannot read the index ({_code(exc)})") from exc
        return index_from_json(resp["Body"].read().decode("utf-8", "replace"))

    def _state_key(self, name: str) -> str:
        return f"{self.prefix}{STATE_DIR}{name}"


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", "?"))

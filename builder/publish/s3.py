"""An S3 bucket (or any S3-compatible store) as a publish target.

Quire records each file's SHA-256 in object metadata (`x-amz-meta-quire-sha256`): ETags are
not MD5 for multipart or KMS-encrypted uploads, so they are only used to know whether the
cached index entry for a key is still current; a key whose ETag changed is HEADed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from builder.publish.errors import TargetError
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

    def lease_store(self) -> S3LeaseStore:
        """The publish lock's record: `.quire/lock`."""
        return S3LeaseStore(self.client, self.bucket, self._state_key("lock"), self.url)

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


class S3LeaseStore:
    """The lease record as one object, swapped with conditional PUTs.

    AWS S3 (since 2024), MinIO, R2 and moto honour If-Match / If-None-Match on PutObject.
    A store that ignores them lets every PUT through, so each write is read back and must
    be ours: there the lock is best effort (of two racing writers the later one wins).
    """

    def __init__(self, client: Any, bucket: str, key: str, url: str) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.url = url
        self.where = url

    def read(self) -> tuple[bytes, str] | None:
        """The record and its ETag, or None."""
        try:
            resp = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            if _code(exc) in {"NoSuchKey", "404"}:
                return None
            if _code(exc) == "NoSuchBucket":
                raise TargetError(f"{self.url}: bucket {self.bucket!r} does not exist") from exc
            raise TargetError(f"{self.url}: cannot read the lock ({_code(exc)})") from exc
        return resp["Body"].read(), str(resp["ETag"])

    def swap(self, data: bytes, expected: str | None) -> str | None:
        """PUT with If-Match (or If-None-Match: * for a first record); None: it changed."""
        condition = {"IfMatch": expected} if expected else {"IfNoneMatch": "*"}
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=data,
                ContentType="application/json",
                CacheControl="no-store",
                **condition,
            )
        except ClientError as exc:
            if _code(exc) in _PRECONDITION or _code(exc) in {"NoSuchKey", "404"}:
                return None
            if _code(exc) == "NoSuchBucket":
                raise TargetError(f"{self.url}: bucket {self.bucket!r} does not exist") from exc
            raise TargetError(f"{self.url}: cannot write the lock ({_code(exc)})") from exc
        current = self.read()
        return current[1] if current is not None and current[0] == data else None

"""Fixtures for publishing tests: a real S3/CloudFront HTTP API (moto in server mode).

AWS itself cannot run here, so moto's server stands in for it: the boto3 clients talk
HTTP to it on loopback exactly as they would to AWS, with dummy credentials.
"""

from __future__ import annotations

import hashlib
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from builder.manifest import MANIFEST_NAME, FileEntry, Manifest
from builder.publish.s3 import S3Target

from .faultproxy import FaultProxy

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One moto server for the session, on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Environment for code that builds its own clients (the CLI)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFRONT", moto_url)
    monkeypatch.setenv("QUIRE_S3_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("QUIRE_AWS_REGION", REGION)
    for name in ("AWS_PROFILE", "QUIRE_PUBLISH_TARGET", "QUIRE_CLOUDFRONT_DISTRIBUTION_ID"):
        monkeypatch.delenv(name, raising=False)
    return moto_url


@pytest.fixture
def s3(moto_url: str) -> Any:
    """A real boto3 S3 client talking HTTP to moto."""
    return boto3.client("s3", endpoint_url=moto_url, region_name=REGION, **CREDENTIALS)


@pytest.fixture
def cloudfront(moto_url: str) -> Any:
    """A real boto3 CloudFront client talking HTTP to moto."""
    return boto3.client("cloudfront", endpoint_url=moto_url, region_name=REGION, **CREDENTIALS)


@pytest.fixture
def bucket(s3: Any) -> str:
    """A fresh, empty bucket per test."""
    name = f"quire-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def target(s3: Any, bucket: str) -> S3Target:
    """An S3 target on the test bucket."""
    return S3Target(s3, bucket)


@pytest.fixture
def distribution(cloudfront: Any, bucket: str) -> str:
    """A CloudFront distribution in front of the bucket."""
    resp = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,
            "Origins": {
                "Quantity": 1,
                "Items": [
                    {
                        "Id": "site",
                        "DomainName": f"{bucket}.s3.amazonaws.com",
                        "S3OriginConfig": {"OriginAccessIdentity": ""},
                    }
                ],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            },
            "Comment": "quire test",
            "Enabled": True,
        }
    )
    return str(resp["Distribution"]["Id"])


@dataclass
class S3Calls:
    """Requests the real client sent, recorded through botocore's event hooks."""

    puts: list[str] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    def site_puts(self) -> list[str]:
        """PUTs of site files (not Quire's own index and lock under .quire/)."""
        return [k for k in self.puts if not k.startswith(".quire/")]


@pytest.fixture
def calls(s3: Any) -> S3Calls:
    """Record PutObject keys (in order) and deleted keys on the test client."""
    log = S3Calls()

    def on_put(params: dict[str, Any], **_: Any) -> None:
        log.puts.append(params["Key"])

    def on_delete(params: dict[str, Any], **_: Any) -> None:
        log.deletes.extend(o["Key"] for o in params["Delete"]["Objects"])

    s3.meta.events.register("provide-client-params.s3.PutObject", on_put)
    s3.meta.events.register("provide-client-params.s3.DeleteObjects", on_delete)
    return log


def invalidations(cloudfront: Any, distribution_id: str) -> list[list[str]]:
    """The path lists of every invalidation created on the distribution."""
    listing = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    out = []
    for item in listing.get("Items", []):
        got = cloudfront.get_invalidation(DistributionId=distribution_id, Id=item["Id"])
        out.append(sorted(got["Invalidation"]["InvalidationBatch"]["Paths"].get("Items", [])))
    return out


# A small but complete site: every kind of file the builder writes.
BASE_SITE: dict[str, tuple[str, str]] = {
    "assets/main.3f2a9c1e.css": ("body{color:#222}", "asset"),
    "assets/quire.8bd0e2aa.js": ("console.log('widgets')", "asset"),
    "images/logo.png": ("\x89PNG fake but bytes", "static"),
    "index.html": ("<!doctype html><title>Home</title><a href=/posts/hello/>hi</a>", "html"),
    "posts/hello/index.html": ("<!doctype html><title>Hello</title><p>v1", "html"),
    "posts/second/index.html": ("<!doctype html><title>Second</title><p>v1", "html"),
    "posts/third/index.html": ("<!doctype html><title>Third</title><p>v1", "html"),
    "tags/python/index.html": ("<!doctype html><title>python</title>", "html"),
    "404.html": ("<!doctype html><title>Not found</title>", "html"),
    "2019/hello/index.html": (
        '<meta http-equiv="refresh" content="0; url=/posts/hello/">',
        "redirect",
    ),
    "pagefind/pagefind-entry.json": ('{"version":"1.1"}', "search"),
    "atom.xml": ("<?xml version='1.0'?><feed/>", "feed"),
    "feed.json": ('{"version":"https://jsonfeed.org/version/1.1"}', "feed"),
    "sitemap.xml": ("<?xml version='1.0'?><urlset/>", "meta"),
    "robots.txt": ("User-agent: *\n", "meta"),
}


def write_output(out: Path, files: dict[str, tuple[str | bytes, str]]) -> Manifest:
    """Write a build output folder with its manifest, as the builder does; clear old files."""
    if out.exists():
        for path in sorted(out.rglob("*"), reverse=True):
            if path.is_file():
                path.unlink()
            else:
                path.rmdir()
    entries = {}
    for key, (content, kind) in files.items():
        data = content.encode() if isinstance(content, str) else content
        path = out / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entries[key] = FileEntry(
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            kind=kind,  # type: ignore[arg-type]
        )
    manifest = Manifest(files=entries, base_url="https://blog.example.com")
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST_NAME).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


@pytest.fixture
def site(tmp_path: Path) -> dict[str, tuple[str | bytes, str]]:
    """A mutable copy of the base site's files (edit it, then write_output)."""
    return dict(BASE_SITE)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The build output folder."""
    return tmp_path / "public"


def bucket_files(s3: Any, bucket: str) -> dict[str, bytes]:
    """Every site file in the bucket with its bytes (Quire's state excluded)."""
    files = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            if not ("/" + item["Key"]).count("/.quire/"):
                files[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return files


@pytest.fixture
def proxy(moto_url: str) -> Iterator[FaultProxy]:
    """A fault-injecting HTTP proxy in front of moto (rules: fail or hold requests)."""
    server = FaultProxy(moto_url).start()
    yield server
    server.stop()


@pytest.fixture
def flaky_s3(proxy: FaultProxy) -> Any:
    """A real boto3 S3 client that talks to moto through the fault proxy.

    One attempt per request: the proxy's faults last until healed, so botocore's own
    retries would only add seconds.
    """
    return boto3.client(
        "s3",
        endpoint_url=proxy.url,
        region_name=REGION,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        **CREDENTIALS,
    )

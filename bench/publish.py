"""Benchmark: publish a 2,000-post site, edit one post, publish again; compare `aws s3 sync`.

    .venv/bin/python bench/publish.py [--n 2000] [--keep DIR]

Everything publishes to one moto S3 server (AWS itself is not reachable here), in the real
order: build, publish, edit one post, rebuild, publish. For the second publish it prints
the PUTs, deletes and CloudFront invalidation paths of `quire deploy` next to those of
`aws s3 sync --delete` with Hugo's `/*` invalidation, and how many files in each bucket
differ from the build afterwards. A benchmark, not a test: it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "bench" / "gen_corpus.py"
AWSCLI_VENV = ROOT / "bench" / ".venv-awscli"
CREDS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
REGION = "us-east-1"

sys.path.insert(0, str(ROOT))
from builder.manifest import MANIFEST_NAME, read_manifest  # noqa: E402
from builder.pipeline import build_site  # noqa: E402
from builder.publish.publish import publish  # noqa: E402
from builder.publish.s3 import S3Target  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="quire-bench-publish-"))
    work.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request log
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        run(work, args.n, f"http://127.0.0.1:{port}")
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, n: int, endpoint: str) -> None:
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    step(f"generating {n} posts")
    subprocess.run(
        [sys.executable, str(GEN), "--n", str(n), "--flavor", "hugo", "--out", str(site)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (site / "quire.toml").write_text('title = "Bench"\nbase_url = "https://blog.example.com"\n')
    # A snapshot of the theme, so both builds use the same one even while it is being edited.
    shutil.copytree(ROOT / "themes" / "default", site / "themes" / "default")
    quire, sync, fresh = QuireDeploy(endpoint), AwsSync(endpoint), AwsSync(endpoint)
    out = build(site)
    assets_before = asset_names(out)
    for tool in (quire, sync, fresh):
        tool.publish(out)

    post = sorted((site / "content" / "posts").glob("*.md"))[n // 2]
    step(f"editing {post.relative_to(site)}")
    with post.open("a", encoding="utf-8") as fh:
        fh.write("\n\nAn added paragraph: the benchmark edited this post.\n")
    out = build(site)
    if asset_names(out) != assets_before:
        print("  WARNING: the theme's assets changed between the two builds (edited meanwhile?):")
        print("  every page then links new asset names, so the numbers below include that.")
    # A build on a fresh CI runner has new mtimes on every file; `aws s3 sync` compares
    # size and mtime, so it uploads everything. Reusing the build folder (the row above
    # it) is sync's most favourable case: the builder rewrites only what changed.
    ci_copy = work / "public-ci"
    shutil.rmtree(ci_copy, ignore_errors=True)
    shutil.copytree(out, ci_copy, copy_function=shutil.copyfile)
    rows = [
        ("quire deploy", quire.publish(out)),
        ("aws s3 sync --delete", sync.publish(out)),
        ("aws s3 sync, CI checkout", fresh.publish(ci_copy)),
    ]
    expected = {
        p.relative_to(out).as_posix(): digest(p.read_bytes())
        for p in out.rglob("*")
        if p.is_file() and p.name != MANIFEST_NAME
    }
    print()
    print(f"Edited one post of a {n}-post site ({len(expected)} files in the build):")
    head = ("tool", "PUTs", "deletes", "invalidation paths", "stale after", "seconds")
    print("| {:<24} | {:>5} | {:>7} | {:<28} | {:>11} | {:>7} |".format(*head))
    print("|" + "|".join("-" * (w + 2) for w in (24, 5, 7, 28, 11, 7)) + "|")
    for (name, row), tool in zip(rows, (quire, sync, fresh), strict=True):
        stale = tool.stale(expected)
        print(
            f"| {name:<24} | {row['puts']:>5} | {row['deletes']:>7} | "
            f"{row['invalidation']:<28} | {stale:>11} | {row['seconds']:>7.1f} |"
        )
    print(
        "\n'stale after': files in the bucket that differ from the build after the publish"
        "\n(superseded fingerprinted assets quire keeps for a grace period are not counted)."
    )


def build(site: Path) -> Path:
    step("building")
    started = time.perf_counter()
    result = build_site(site)
    if not result.ok:
        for diag in result.errors[:10]:
            print(f"  {diag}", file=sys.stderr)
        raise SystemExit("the builder could not build the corpus")
    count = len(result.manifest.files) if result.manifest else 0
    print(f"  {count} files in {time.perf_counter() - started:.1f}s")
    return result.output_dir


class QuireDeploy:
    """`quire deploy`'s library function against a bucket and a distribution."""

    def __init__(self, endpoint: str) -> None:
        self.s3 = client("s3", endpoint)
        self.cloudfront = client("cloudfront", endpoint)
        self.bucket = make_bucket(self.s3, "quire")
        self.dist = create_distribution(self.cloudfront, self.bucket)
        self.puts: list[str] = []
        self.deletes: list[str] = []
        self.deferred: list[str] = []
        self.s3.meta.events.register("provide-client-params.s3.PutObject", self._on_put)
        self.s3.meta.events.register("provide-client-params.s3.DeleteObjects", self._on_del)

    def _on_put(self, params: dict[str, Any], **_: Any) -> None:
        if not params["Key"].startswith(".quire/"):
            self.puts.append(params["Key"])

    def _on_del(self, params: dict[str, Any], **_: Any) -> None:
        self.deletes.extend(o["Key"] for o in params["Delete"]["Objects"])

    def publish(self, out: Path) -> dict[str, Any]:
        step("quire deploy")
        self.puts.clear()
        self.deletes.clear()
        started = time.perf_counter()
        report = publish(
            out, S3Target(self.s3, self.bucket), cloudfront=self.cloudfront,
            distribution_id=self.dist,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        self.deferred = report.deferred
        print(f"  uploaded {len(self.puts)}: {shorten(self.puts)}")
        print(f"  deleted {len(self.deletes)}: {shorten(self.deletes)}")
        print(
            f"  invalidated {len(report.invalidation_paths)}: {shorten(report.invalidation_paths)}"
        )
        wild = sum(p.endswith("*") for p in report.invalidation_paths)
        return {
            "puts": len(self.puts),
            "deletes": len(self.deletes),
            "invalidation": f"{len(report.invalidation_paths)} ({wild} wildcards)",
            "seconds": seconds,
        }

    def stale(self, expected: dict[str, str]) -> int:
        return count_stale(self.s3, self.bucket, expected, ignore=set(self.deferred))


class AwsSync:
    """`aws s3 sync --delete` (awscli in its own venv) against its own bucket."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.s3 = client("s3", endpoint)
        self.bucket = make_bucket(self.s3, "sync")
        self.aws = AWSCLI_VENV / "bin" / "aws"
        if not self.aws.exists():
            step(f"installing awscli into {AWSCLI_VENV}")
            subprocess.run([sys.executable, "-m", "venv", str(AWSCLI_VENV)], check=True)
            pip = str(AWSCLI_VENV / "bin" / "pip")
            subprocess.run([pip, "install", "--quiet", "awscli"], check=True)

    def publish(self, out: Path) -> dict[str, Any]:
        step(f"aws s3 sync {out.name}")
        env = {**os.environ, **CREDS, "AWS_DEFAULT_REGION": REGION}
        env.pop("AWS_PROFILE", None)
        cmd = [
            str(self.aws), "--endpoint-url", self.endpoint, "s3", "sync", str(out),
            f"s3://{self.bucket}/", "--delete", "--exclude", MANIFEST_NAME, "--no-progress",
        ]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        lines = done.stdout.splitlines()
        return {
            "puts": sum(ln.startswith("upload:") for ln in lines),
            "deletes": sum(ln.startswith("delete:") for ln in lines),
            "invalidation": "1 (/*: the whole CDN cache)",
            "seconds": seconds,
        }

    def stale(self, expected: dict[str, str]) -> int:
        return count_stale(self.s3, self.bucket, expected)


def count_stale(
    s3: Any, bucket: str, expected: dict[str, str], ignore: set[str] | None = None
) -> int:
    """Files missing, extra, or with other content than the build's."""
    found: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            key = item["Key"]
            if not key.startswith(".quire/"):
                found[key] = digest(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    keys = (set(found) | set(expected)) - (ignore or set())
    return sum(1 for k in keys if found.get(k) != expected.get(k))


def asset_names(out: Path) -> set[str]:
    manifest = read_manifest(out)
    files = manifest.files if manifest else {}
    return {k for k, e in files.items() if e.kind == "asset"}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shorten(items: list[str], limit: int = 6) -> str:
    return ", ".join(items[:limit]) + (" ..." if len(items) > limit else "")


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDS["AWS_SECRET_ACCESS_KEY"],
    )


def make_bucket(s3: Any, prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=name)
    return name


def create_distribution(cloudfront: Any, bucket: str) -> str:
    origin = {
        "Id": "site",
        "DomainName": f"{bucket}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    resp = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": uuid.uuid4().hex,
            "Origins": {"Quantity": 1, "Items": [origin]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "site",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            },
            "Comment": "quire bench",
            "Enabled": True,
        }
    )
    return str(resp["Distribution"]["Id"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def step(text: str) -> None:
    print(f"- {text}", flush=True)


if __name__ == "__main__":
    main()

"""Factories for targets and AWS clients: created on demand from settings, never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from builder.publish.errors import TargetError
from builder.publish.local import LocalTarget
from builder.publish.publish import Progress, publish
from builder.publish.report import PublishReport
from builder.publish.s3 import S3Target
from builder.publish.settings import PublishSettings
from builder.publish.target import Target


def make_session(settings: PublishSettings) -> Any:
    """A boto3 session with the configured profile and region."""
    import boto3  # deferred: `quire build` never pays for importing boto3

    return boto3.Session(profile_name=settings.aws_profile, region_name=settings.aws_region)


def make_s3_client(settings: PublishSettings) -> Any:
    """An S3 client for the configured endpoint (any S3-compatible store)."""
    return make_session(settings).client("s3", endpoint_url=settings.s3_endpoint_url)


def make_cloudfront_client(settings: PublishSettings) -> Any:
    """A CloudFront client (global service; the endpoint override is for tests only)."""
    return make_session(settings).client("cloudfront")


def make_target(url: str, settings: PublishSettings, *, s3_client: Any = None) -> Target:
    """The target named by a `file://` or `s3://` URL."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        # file:///abs/path, and the default's relative file://./path
        raw = unquote(parts.netloc + parts.path)
        if not raw:
            raise TargetError(f"publish target {url!r}: no folder given")
        return LocalTarget(Path(raw))
    if parts.scheme == "s3":
        if not parts.netloc:
            raise TargetError(f"publish target {url!r}: no bucket given (s3://bucket[/prefix])")
        client = s3_client if s3_client is not None else make_s3_client(settings)
        return S3Target(
            client, parts.netloc, parts.path.strip("/"), workers=settings.publish_concurrency
        )
    raise TargetError(f"publish target {url!r}: use file:///abs/path or s3://bucket[/prefix]")


def publish_with_settings(
    output_dir: Path,
    settings: PublishSettings,
    *,
    dry_run: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    s3_client: Any = None,
    cloudfront: Any = None,
    lock_owner: str = "quire deploy",
) -> PublishReport:
    """Publish with everything taken from settings: what `quire deploy` and the worker call."""
    from botocore.exceptions import BotoCoreError

    distribution = settings.cloudfront_distribution_id
    try:
        target = make_target(settings.publish_target, settings, s3_client=s3_client)
        if distribution and cloudfront is None and not dry_run:
            cloudfront = make_cloudfront_client(settings)
    except BotoCoreError as exc:  # e.g. an unknown QUIRE_AWS_PROFILE
        raise TargetError(f"{settings.publish_target}: {exc}") from exc
    return publish(
        output_dir,
        target,
        cloudfront=cloudfront,
        distribution_id=distribution,
        dry_run=dry_run,
        force=force,
        max_deletes=settings.publish_max_deletes,
        min_ratio=settings.publish_min_ratio,
        asset_grace=settings.publish_asset_grace,
        precompress=settings.precompress,
        concurrency=settings.publish_concurrency,
        max_invalidation_paths=settings.invalidation_max_paths,
        lock_stale_after=settings.lock_stale_after,
        lock_lease=settings.lock_lease,
        lock_owner=lock_owner,
        progress=progress,
    )

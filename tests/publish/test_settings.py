"""Publishing settings: defaults, validation, and the README table kept in sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from builder.publish.clients import make_target
from builder.publish.errors import TargetError
from builder.publish.local import LocalTarget
from builder.publish.s3 import S3Target
from builder.publish.settings import PublishSettings, settings_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_table_matches_settings() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- publish-settings:start -->\n") + len(
        "<!-- publish-settings:start -->\n"
    )
    end = text.index("<!-- publish-settings:end -->")
    assert text[start:end].strip() == settings_table()


def test_env_settings_and_bad_target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUIRE_PUBLISH_MAX_DELETES", "10")
    monkeypatch.setenv("QUIRE_PUBLISH_TARGET", "s3://my-blog/www")
    settings = PublishSettings()
    assert settings.publish_max_deletes == 10
    target = make_target(settings.publish_target, settings, s3_client=object())
    assert isinstance(target, S3Target)
    assert (target.bucket, target.prefix, target.url) == ("my-blog", "www/", "s3://my-blog/www")
    monkeypatch.setenv("QUIRE_PUBLISH_TARGET", "http://example.com")
    with pytest.raises(ValidationError, match="must start with file:// or s3://"):
        PublishSettings()


def test_file_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = PublishSettings(publish_target="file://./.quire-data/bucket")
    target = make_target(settings.publish_target, settings)
    assert isinstance(target, LocalTarget)
    assert target.root == tmp_path / ".quire-data" / "bucket"
    absolute = make_target((tmp_path / "x y").as_uri(), settings)
    assert isinstance(absolute, LocalTarget) and absolute.root == tmp_path / "x y"
    with pytest.raises(TargetError, match="no bucket given"):
        make_target("s3://", settings, s3_client=object())

"""`quire deploy`: --dry-run, --json, --target, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builder.cli import app

from .conftest import BASE_SITE, bucket_files, invalidations, write_output

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("QUIRE_PUBLISH_TARGET", "QUIRE_CLOUDFRONT_DISTRIBUTION_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env, and the default target lands here


def test_dry_run_prints_the_plan_and_touches_nothing(out: Path, tmp_path: Path) -> None:
    write_output(out, BASE_SITE)
    dest = tmp_path / "bucket"
    result = runner.invoke(app, ["deploy", str(out), "--dry-run", "--target", dest.as_uri()])
    assert result.exit_code == 0, result.output
    assert f"Plan for {dest.as_uri()}: {len(BASE_SITE)} uploads" in result.stdout
    assert "would upload:" in result.stdout and "  posts/hello/index.html" in result.stdout
    assert not dest.exists()


def test_json_summary_then_noop(out: Path, tmp_path: Path) -> None:
    write_output(out, BASE_SITE)
    args = ["deploy", str(out), "--json", "--target", (tmp_path / "bucket").as_uri()]
    first = json.loads(runner.invoke(app, args).stdout)
    assert first["ok"] is True and first["puts"] == len(BASE_SITE)
    assert sorted(first["uploads"]) == sorted(BASE_SITE)
    second = json.loads(runner.invoke(app, args).stdout)
    assert second["uploads"] == [] and second["deletes"] == [] and second["puts"] == 0
    assert second["unchanged"] == len(BASE_SITE)


def test_default_target_and_site_folder(tmp_path: Path) -> None:
    site_dir = tmp_path / "blog"
    site_dir.mkdir()
    (site_dir / "quire.toml").write_text('title = "Blog"\noutput_dir = "out"\n')
    write_output(site_dir / "out", BASE_SITE)
    result = runner.invoke(app, ["deploy", str(site_dir)])
    assert result.exit_code == 0, result.output
    assert "Published to" in result.stdout
    assert (tmp_path / ".quire-data/bucket/posts/hello/index.html").is_file()


def test_errors_are_clear_and_exit_nonzero(out: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["deploy", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "neither a built output folder" in result.stderr
    write_output(out, {"about.html": ("<p>a", "html")})
    result = runner.invoke(app, ["deploy", str(out), "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["ok"] is False and "no index.html" in summary["error"]
    result = runner.invoke(app, ["deploy", str(out), "--target", "ftp://example.com/x"])
    assert result.exit_code == 1 and "must start with file:// or s3://" in result.stderr


def test_s3_with_cloudfront(
    out: Path,
    site: dict,
    aws_env: str,
    s3: Any,
    bucket: str,
    cloudfront: Any,
    distribution: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUIRE_CLOUDFRONT_DISTRIBUTION_ID", distribution)
    write_output(out, site)
    args = ["deploy", str(out), "--target", f"s3://{bucket}/blog", "--json"]
    assert runner.invoke(app, args).exit_code == 0
    assert set(bucket_files(s3, bucket)) == {f"blog/{k}" for k in site}
    site["posts/hello/index.html"] = ("<p>v2", "html")
    write_output(out, site)
    plan = runner.invoke(app, [*args[:-1], "--dry-run"])
    assert "would invalidate:\n  /posts/hello/\n  /posts/hello/index.html" in plan.stdout
    assert invalidations(cloudfront, distribution) == []
    done = json.loads(runner.invoke(app, args).stdout)
    assert done["uploads"] == ["posts/hello/index.html"]
    assert done["invalidation_id"]
    assert invalidations(cloudfront, distribution) == [["/posts/hello/", "/posts/hello/index.html"]]


def test_help_renders() -> None:
    result = runner.invoke(app, ["deploy", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--dry-run", "--json", "--force", "--target"):
        assert option in result.stdout


def test_unknown_aws_profile_is_a_clear_error(
    out: Path, aws_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_output(out, BASE_SITE)
    monkeypatch.setenv("QUIRE_AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    result = runner.invoke(app, ["deploy", str(out), "--target", "s3://blog"])
    assert result.exit_code == 1
    assert "s3://blog: The config profile (no-such-profile) could not be found" in result.stderr

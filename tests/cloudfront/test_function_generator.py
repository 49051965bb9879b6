"""Rendering the viewer-request function from a build manifest's redirects."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from builder.manifest import Manifest
from builder.publish.cloudfront_function import (
    MAX_FUNCTION_BYTES,
    RedirectMapError,
    main,
    normalise_redirects,
    render_for_manifest,
    render_viewer_request,
)

RunFunction = Callable[[str, list[Path]], dict[str, Any]]


def realistic_redirects(count: int) -> dict[str, str]:
    """Aliases as a blog migrated from WordPress has them: dated permalinks to slugs."""
    return {
        f"/{2012 + i % 10}/{1 + i % 12:02d}/{i % 28 + 1:02d}/old-post-title-number-{i}/": (
            f"/posts/old-post-title-number-{i}/"
        )
        for i in range(count)
    }


def _event(tmp_path: Path, uri: str) -> Path:
    path = tmp_path / f"event-{abs(hash(uri))}.json"
    event = {"version": "1.0", "request": {"method": "GET", "uri": uri, "querystring": {}}}
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def test_a_realistic_map_fits_under_10_kb(run_function: RunFunction, tmp_path: Path) -> None:
    redirects = realistic_redirects(80)
    rendered = render_viewer_request(redirects)
    assert rendered.fallback is None
    assert rendered.embedded == 80
    assert rendered.size <= MAX_FUNCTION_BYTES
    # The rendered code really serves the last alias.
    event = _event(tmp_path, "/2021/08/24/old-post-title-number-79/")
    out = run_function(rendered.code, [event])[event.name]["result"]
    assert out["statusCode"] == 301
    assert out["headers"]["location"]["value"] == "/posts/old-post-title-number-79/"


def test_too_big_a_map_falls_back_to_html_redirect_pages(
    run_function: RunFunction, tmp_path: Path
) -> None:
    rendered = render_viewer_request(realistic_redirects(1000))
    assert rendered.embedded == 0
    assert rendered.fallback is not None and "HTML redirect pages" in rendered.fallback
    assert rendered.size <= MAX_FUNCTION_BYTES
    # The alias now reaches the bucket, where the builder's redirect page answers.
    event = _event(tmp_path, "/2012/01/01/old-post-title-number-0/")
    out = run_function(rendered.code, [event])[event.name]["result"]
    assert out["uri"] == "/2012/01/01/old-post-title-number-0/index.html"


def test_unicode_keys_and_line_separators_stay_valid_javascript(
    run_function: RunFunction, tmp_path: Path
) -> None:
    rendered = render_viewer_request({"/alt/\u2028x": "/posts/ok/", "/日本": "/posts/nihon/"})
    assert "\u2028" not in rendered.code
    event = _event(tmp_path, "/%E6%97%A5%E6%9C%AC")
    out = run_function(rendered.code, [event])[event.name]["result"]
    assert out["headers"]["location"]["value"] == "/posts/nihon/"


@pytest.mark.parametrize(
    ("redirects", "message"),
    [
        ({"/old/../x": "/posts/a/"}, "alias '/old/../x': the alias '/old/../x' must not contain"),
        ({"/old": "https://evil.example/"}, "the target 'https://evil.example/' must be"),
        ({"/old": "//evil.example/"}, "must be a site-relative path"),
        ({"/old": "/posts/a/#top"}, "must not contain backslashes, control characters"),
        ({"/": "/posts/a/"}, "would redirect the home page"),
        ({"/a": "/b", "/b": "/a"}, "redirect loop"),
        ({"/a": "/posts/x/", "/a/": "/posts/y/"}, "are the same URL"),
    ],
)
def test_bad_redirect_maps_are_refused_naming_the_alias(
    redirects: dict[str, str], message: str
) -> None:
    with pytest.raises(RedirectMapError, match="manifest redirects: alias") as info:
        normalise_redirects(redirects)
    assert message in str(info.value)


def test_targets_are_percent_encoded_once() -> None:
    table = normalise_redirects({"/a": "/posts/über uns/", "/b": "/posts/%C3%BCber/"})
    assert table == {"/a": "/posts/%C3%BCber%20uns/", "/b": "/posts/%C3%BCber/"}


def test_command_line_renders_a_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = Manifest(redirects={"/2019/hello": "/posts/hello/"})
    path = tmp_path / "quire-manifest.json"
    path.write_text(manifest.to_json(), encoding="utf-8")
    out = tmp_path / "fn.js"
    assert main([str(path), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_for_manifest(manifest).code
    assert '"/2019/hello":"/posts/hello/"' in out.read_text(encoding="utf-8")
    assert "1 alias redirect embedded" in capsys.readouterr().err


def test_command_line_names_a_broken_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "quire-manifest.json"
    path.write_text("{not json", encoding="utf-8")
    assert main([str(path)]) == 1
    assert f"error: {path}: not valid JSON" in capsys.readouterr().err


def test_rendering_is_deterministic() -> None:
    """Same aliases in any order, same bytes: an unchanged site never updates the function."""
    redirects = realistic_redirects(30)
    shuffled = dict(reversed(list(redirects.items())))
    assert render_viewer_request(redirects).code == render_viewer_request(shuffled).code

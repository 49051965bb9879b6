"""The function against a real build: every alias ends on a published file, both ways.

With the map embedded, an alias answers 301 to a page the build wrote; with the map left
out (too big for 10 KB), the alias reaches the builder's HTML redirect page instead.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from builder.manifest import Manifest
from builder.publish.cloudfront_function import render_for_manifest, render_viewer_request

pytestmark = pytest.mark.slow

RunFunction = Callable[[str, list[Path]], dict[str, Any]]
_names = itertools.count()


@pytest.fixture(scope="module")
def manifest(starter_site: Path) -> Manifest:
    text = (starter_site / "quire-manifest.json").read_text(encoding="utf-8")
    built = Manifest.from_json(text)
    assert built.redirects, "the starter site should show off an alias"
    return built


def _request(run: RunFunction, code: str, uri: str, tmp_path: Path) -> dict[str, Any]:
    """One GET through the function; the result CloudFront would act on."""
    path = tmp_path / f"event-{next(_names)}.json"
    event = {"version": "1.0", "request": {"method": "GET", "uri": uri, "querystring": {}}}
    path.write_text(json.dumps(event), encoding="utf-8")
    outcome = run(code, [path])[path.name]
    assert "error" not in outcome, outcome
    result: dict[str, Any] = outcome["result"]
    return result


def _follow(run: RunFunction, code: str, uri: str, tmp_path: Path) -> tuple[str, int]:
    """Follow the function's redirects; return the S3 key fetched and the hops taken."""
    for hops in range(5):
        result = _request(run, code, uri, tmp_path)
        if "statusCode" not in result:
            return result["uri"].lstrip("/"), hops
        assert result["statusCode"] == 301
        uri = result["headers"]["location"]["value"]
    raise AssertionError(f"redirect loop from {uri}")


def test_embedded_aliases_redirect_to_published_pages(
    manifest: Manifest, run_function: RunFunction, tmp_path: Path
) -> None:
    code = render_for_manifest(manifest).code
    for alias in manifest.redirects:
        key, hops = _follow(run_function, code, alias, tmp_path)
        assert hops == 1, alias  # straight to the target, no slash detour
        assert manifest.files[key].kind == "html", alias


def test_without_the_map_aliases_reach_the_html_redirect_pages(
    manifest: Manifest, run_function: RunFunction, tmp_path: Path
) -> None:
    code = render_viewer_request({}).code
    for alias in manifest.redirects:
        key, _hops = _follow(run_function, code, alias, tmp_path)
        assert manifest.files[key].kind == "redirect", alias

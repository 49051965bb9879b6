"""The viewer-request function against recorded CloudFront events, run under Node.js."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from builder.publish.cloudfront_function import (
    MARKER,
    render_viewer_request,
    template_path,
)

EVENTS = Path(__file__).parent / "events"
RunFunction = Callable[[str, list[Path]], dict[str, Any]]

# The test site's aliases, as the builder writes them into the manifest.
REDIRECTS = {
    "/2019/05/hello": "/posts/hello-world/",
    "/old-blog/hello.html": "/posts/hello-world/",
    "/archive/2019/": "/archives/2019/",
    "/alt/über": "/posts/über-uns/",
    "/2018/hello": "/2019/05/hello",  # a chain: served as one hop to the final page
}

# Expected outcome per recorded event:
#   ("serve", uri)      the request goes on to S3 with this uri, everything else unchanged
#   ("same",)           the request goes on exactly as received
#   ("301", location)   a permanent redirect to this Location
#   (status,)           refused with this status code
EXPECTED: dict[str, tuple[Any, ...]] = {
    "root": ("serve", "/index.html"),
    "dir-trailing-slash": ("serve", "/posts/hello-world/index.html"),
    "head-request": ("serve", "/posts/hello-world/index.html"),
    "no-slash": ("301", "/about/"),
    "no-slash-query-kept": (
        "301",
        "/posts/hello-world/?utm_source=feed&tag=a&tag=b&q=caf%C3%A9%20au%20lait&flag",
    ),
    "asset": ("same",),
    "index-html-direct": ("same",),
    "well-known": ("same",),
    "quire-state": (404,),  # the publisher's hash index and lock are not for readers
    "quire-state-encoded": (404,),
    "pagefind": ("same",),
    "alias": ("301", "/posts/hello-world/"),
    "alias-trailing-slash": ("301", "/posts/hello-world/"),
    "alias-html-file": ("301", "/posts/hello-world/"),
    "alias-dir-index": ("301", "/archives/2019/"),
    "alias-query-kept": ("301", "/posts/hello-world/?ref=mastodon"),
    "alias-unicode": ("301", "/posts/%C3%BCber-uns/"),
    "alias-chain": ("301", "/posts/hello-world/"),
    "not-an-alias": ("301", "/2019/05/other/"),
    "api-comments": ("same",),
    "api-post": ("same",),
    "api-root": ("same",),
    "api-odd-path": ("same",),  # the API origin, not the bucket, judges its own paths
    "double-slash": ("301", "/posts/hello-world/?a=1"),
    "protocol-relative": ("301", "/evil.example/phish"),
    "dotdot-plain": (400,),
    "dotdot-encoded": (400,),
    "dotdot-mixed": (400,),
    "dot-segment": (400,),
    "encoded-slash": (400,),
    "encoded-backslash": (400,),
    "raw-backslash": (400,),
    "encoded-nul": (400,),
    "bad-percent": (400,),
    "truncated-utf8": (400,),
    "very-long": (414,),
    "long-but-fine": ("serve", "/posts/" + "b" * 1500 + "/index.html"),
    "unicode-dir": ("serve", "/posts/caf%C3%A9/index.html"),
    "raw-unicode": (400,),
    "unicode-no-slash": ("301", "/posts/%E6%97%A5%E6%9C%AC/?lang=ja"),
    # links mailed before the account pages moved under /api
    "moved-account-verify": ("301", "/api/account/verify"),
    "moved-account-reset": ("301", "/api/account/reset"),
}

EVENT_FILES = sorted(EVENTS.glob("*.json"))


def test_every_recorded_event_has_an_expectation() -> None:
    names = {p.stem for p in EVENT_FILES}
    assert names == set(EXPECTED), names ^ set(EXPECTED)


@pytest.fixture(scope="module")
def outcomes(run_function: RunFunction) -> dict[str, Any]:
    """Every recorded event through the function rendered with the test site's aliases."""
    rendered = render_viewer_request(REDIRECTS)
    assert rendered.fallback is None and rendered.embedded == len(REDIRECTS)
    return run_function(rendered.code, EVENT_FILES)


@pytest.mark.parametrize("event_file", EVENT_FILES, ids=lambda p: p.stem)
def test_recorded_event(event_file: Path, outcomes: dict[str, Any]) -> None:
    outcome = outcomes[event_file.name]
    assert "error" not in outcome, outcome
    result = outcome["result"]
    request = json.loads(event_file.read_text(encoding="utf-8"))["request"]
    expected = EXPECTED[event_file.stem]
    if expected[0] == "same":
        assert result == request
    elif expected[0] == "serve":
        assert result == {**request, "uri": expected[1]}
    elif expected[0] == "301":
        assert result["statusCode"] == 301
        location = result["headers"]["location"]["value"]
        assert location == expected[1]
        # Never a protocol-relative or backslash Location: that would leave the site.
        assert location.startswith("/") and not location.startswith(("//", "/\\"))
    else:
        assert result["statusCode"] == expected[0]
        assert "location" not in result.get("headers", {})


def test_checked_in_source_runs_as_is(run_function: RunFunction) -> None:
    """The template itself is a working function (empty alias map)."""
    code = template_path().read_text(encoding="utf-8")
    assert MARKER in code
    events = [EVENTS / "alias.json", EVENTS / "dir-trailing-slash.json"]
    out = run_function(code, events)
    assert out["alias.json"]["result"]["headers"]["location"]["value"] == "/2019/05/hello/"
    assert out["dir-trailing-slash.json"]["result"]["uri"] == "/posts/hello-world/index.html"


def test_function_uses_no_node_modules() -> None:
    """CloudFront's runtime has no require(), process or module system."""
    code = template_path().read_text(encoding="utf-8")
    for forbidden in ("require(", "process.", "module.exports", "import ", "export "):
        assert forbidden not in code


def test_harness_offers_no_node_modules(run_function: RunFunction) -> None:
    """The harness is as bare as CloudFront: a function that reaches for Node fails."""
    code = "function handler(event) { return require('fs').readdirSync('/'); }\n"
    out = run_function(code, [EVENTS / "root.json"])["root.json"]
    assert "require is not defined" in out["error"]

"""The response-headers, cache and origin-request policies in cloudfront/*.json."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

CLOUDFRONT = Path(__file__).resolve().parents[2] / "cloudfront"
YEAR = 365 * 24 * 3600


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CLOUDFRONT / name).read_text(encoding="utf-8"))
    return data


def _hash(source: str) -> str:
    return base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()


def csp_directives(policy: str) -> dict[str, list[str]]:
    """Split a CSP header value into directive -> sources."""
    result: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            assert words[0] not in result, f"directive {words[0]} given twice"
            result[words[0]] = words[1:]
    return result


@pytest.fixture(scope="module")
def headers() -> dict[str, Any]:
    return _load("response-headers-policy.json")


@pytest.fixture(scope="module")
def csp(headers: dict[str, Any]) -> dict[str, list[str]]:
    policy = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert isinstance(policy, str)
    return csp_directives(policy)


def test_csp_allows_self_scripts_only(csp: dict[str, list[str]]) -> None:
    assert csp["default-src"] == ["'self'"]
    # Quire's search reads JSON shards: no WebAssembly, no eval of any kind.
    assert csp["script-src"] == ["'self'"]
    # Inline style attributes only for Markdown table alignment, by exact hash.
    assert csp["style-src"][:2] == ["'self'", "'unsafe-hashes'"]
    assert csp["style-src"][2:] == [
        f"'sha256-{_hash(f'text-align:{a}')}'" for a in ("left", "center", "right")
    ]
    assert csp["connect-src"] == ["'self'"]  # widgets call /api on the same origin
    assert csp["worker-src"] == ["'self'"]  # pagefind-worker.js
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]


def test_csp_has_no_wildcards_or_inline_escape_hatches(csp: dict[str, list[str]]) -> None:
    sources = {s for values in csp.values() for s in values}
    for bad in ("*", "'unsafe-inline'", "'unsafe-eval'", "http:", "https:", "blob:"):
        assert bad not in sources
    # data: only for images (Pagefind UI's inline SVG icons), never for scripts or frames.
    assert [d for d, v in csp.items() if "data:" in v] == ["img-src"]


def test_security_headers(headers: dict[str, Any]) -> None:
    security = headers["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= YEAR and hsts["Override"]
    assert security["ContentTypeOptions"]["Override"]  # X-Content-Type-Options: nosniff
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    custom = {i["Header"]: i["Value"] for i in headers["CustomHeadersConfig"]["Items"]}
    permissions = custom["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in permissions


def test_cache_policies() -> None:
    policies = _load("cache-policies.json")
    assert set(policies) == {"Html", "Assets", "ApiShort"}
    for name, policy in policies.items():
        assert policy["MinTTL"] <= policy["DefaultTTL"] <= policy["MaxTTL"], name
        key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
        assert key["EnableAcceptEncodingGzip"] and key["EnableAcceptEncodingBrotli"], name
        assert key["CookiesConfig"]["CookieBehavior"] == "none", name  # no per-user cache
    html = policies["Html"]
    assert html["MinTTL"] == 0 and html["MaxTTL"] >= YEAR  # the origin's s-maxage rules
    html_key = html["ParametersInCacheKeyAndForwardedToOrigin"]
    assert html_key["QueryStringsConfig"]["QueryStringBehavior"] == "none"  # ?utm= shares
    assert policies["Assets"]["MinTTL"] >= YEAR  # fingerprinted: a year whatever S3 says
    api = policies["ApiShort"]
    assert api["DefaultTTL"] == 0 and 0 < api["MaxTTL"] <= 10  # seconds, not minutes
    api_key = api["ParametersInCacheKeyAndForwardedToOrigin"]
    assert api_key["QueryStringsConfig"]["QueryStringBehavior"] == "all"  # ?threads=a,b


def test_api_origin_request_policy_forwards_cookies_never_host() -> None:
    policy = _load("origin-request-policies.json")["ApiPublicRead"]
    assert policy["CookiesConfig"]["CookieBehavior"] == "all"  # the session cookie
    assert policy["QueryStringsConfig"]["QueryStringBehavior"] == "all"
    names = {h.lower() for h in policy["HeadersConfig"]["Headers"]}
    assert {"origin", "content-type", "sec-fetch-site"} <= names  # the API's CSRF checks
    # Host would break TLS to the API origin; CloudFront refuses Authorization here.
    assert not names & {"host", "authorization"}

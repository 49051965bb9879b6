"""Render the CloudFront viewer-request function with the build's alias redirects embedded.

The function source lives in ``cloudfront/viewer-request.js`` with an empty ``REDIRECTS``
map behind a marker comment; this module validates the manifest's ``redirects``, folds
alias chains, and writes them into that map. CloudFront Functions are capped at 10 KB of
code, so when the map does not fit it is left out entirely and the aliases are served by
the builder's HTML redirect pages instead (``RenderedFunction.fallback`` says so). All or
nothing keeps the rule simple: an alias is never half-served by the edge.

Usage: ``python -m builder.publish.cloudfront_function public/quire-manifest.json -o fn.js``
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from builder.manifest import Manifest, ManifestError

MAX_FUNCTION_BYTES = 10 * 1024  # CloudFront Functions' limit on function code
MARKER = "/*QUIRE_REDIRECTS*/{}"
TEMPLATE_NAME = "viewer-request.js"
# Characters left as they are in a Location header; everything else is percent-encoded.
_LOCATION_SAFE = "/-._~!$&'()*+,;=:@"
_BAD_CHARS = re.compile(r"[\\\x00-\x1f\x7f?#]")
_MAX_CHAIN = 10


class RedirectMapError(ValueError):
    """The manifest's redirect map cannot be served safely."""


@dataclass(frozen=True, slots=True)
class RenderedFunction:
    """The function code, how many aliases it serves and why it serves none, if so."""

    code: str
    embedded: int
    fallback: str | None = None

    @property
    def size(self) -> int:
        """Size of the code in bytes, as CloudFront counts it."""
        return len(self.code.encode("utf-8"))


def template_path() -> Path:
    """Locate ``viewer-request.js``: the source checkout first, then the installed package."""
    here = Path(__file__).resolve()
    for candidate in (
        here.parents[2] / "cloudfront" / TEMPLATE_NAME,
        here.parents[1] / "_data" / "cloudfront" / TEMPLATE_NAME,
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"cannot find cloudfront/{TEMPLATE_NAME} beside the builder")


def redirect_key(path: str) -> str:
    """The lookup key the function computes for a request path (decoded, no trailing slash)."""
    key = unquote(path)
    if key.endswith("/index.html"):
        key = key[: -len("index.html")]
    if len(key) > 1 and key.endswith("/"):
        key = key[:-1]
    return key


def _check_path(path: str, *, alias: str, role: str) -> None:
    decoded = unquote(path)
    problem = None
    if not path.startswith("/") or path.startswith("//"):
        problem = "must be a site-relative path starting with a single '/'"
    elif _BAD_CHARS.search(decoded):
        problem = "must not contain backslashes, control characters, '?' or '#'"
    elif any(seg in (".", "..") for seg in decoded.split("/")):
        problem = "must not contain '.' or '..' segments"
    elif len(path) > 1024:
        problem = "is longer than 1024 characters"
    if problem:
        raise RedirectMapError(
            f"manifest redirects: alias {alias!r}: the {role} {path!r} {problem}"
        )


def normalise_redirects(redirects: Mapping[str, str]) -> dict[str, str]:
    """Validate aliases and targets, fold chains, and return key -> encoded Location."""
    keyed: dict[str, tuple[str, str]] = {}  # key -> (alias as written, target)
    for alias, target in sorted(redirects.items()):
        _check_path(alias, alias=alias, role="alias")
        _check_path(target, alias=alias, role="target")
        key = redirect_key(alias)
        if key == "/":
            raise RedirectMapError(
                f"manifest redirects: alias {alias!r} would redirect the home page; remove it"
            )
        if key in keyed and keyed[key][1] != target:
            raise RedirectMapError(
                f"manifest redirects: aliases {keyed[key][0]!r} and {alias!r} are the same "
                f"URL but point to {keyed[key][1]!r} and {target!r}; keep one"
            )
        keyed[key] = (alias, target)
    result: dict[str, str] = {}
    for key, (alias, target) in keyed.items():
        final, hops = target, 0
        while redirect_key(final) in keyed:  # an alias pointing at another alias: one hop
            final = keyed[redirect_key(final)][1]
            hops += 1
            if hops > _MAX_CHAIN or redirect_key(final) == key:
                raise RedirectMapError(
                    f"manifest redirects: alias {alias!r} is part of a redirect loop; "
                    f"point it at a page"
                )
        result[key] = quote(unquote(final), safe=_LOCATION_SAFE)
    return dict(sorted(result.items()))


def _compact(source: str) -> str:
    """Drop full-line comments and indentation: the code has no multi-line strings."""
    lines = (line.strip() for line in source.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


def _embed(source: str, table: Mapping[str, str]) -> str:
    data = json.dumps(table, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # U+2028/9 end a line in ES5 string literals: escape them so the code still parses.
    data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return source.replace(MARKER, "/*QUIRE_REDIRECTS*/" + data, 1)


def render_viewer_request(
    redirects: Mapping[str, str],
    *,
    template: str | None = None,
    limit: int = MAX_FUNCTION_BYTES,
) -> RenderedFunction:
    """Render the function with ``redirects`` embedded, or without them when too big."""
    source = template if template is not None else template_path().read_text(encoding="utf-8")
    if MARKER not in source:
        raise ValueError(f"the function template lacks the {MARKER!r} marker")
    base = _compact(source)
    table = normalise_redirects(redirects)
    code = _embed(base, table)
    size = len(code.encode("utf-8"))
    if size <= limit:
        return RenderedFunction(code=code, embedded=len(table))
    empty = _embed(base, {})
    if len(empty.encode("utf-8")) > limit:
        raise ValueError(f"the function template alone exceeds {limit} bytes")
    reason = (
        f"{len(table)} redirects make the function {size} bytes, over CloudFront's "
        f"{limit}-byte limit: aliases are served by the builder's HTML redirect pages"
    )
    return RenderedFunction(code=empty, embedded=0, fallback=reason)


def render_for_manifest(manifest: Manifest) -> RenderedFunction:
    """Render the function for a build's manifest."""
    return render_viewer_request(manifest.redirects)


def main(argv: list[str] | None = None) -> int:
    """Command line: render the function for a manifest file."""
    parser = argparse.ArgumentParser(prog="python -m builder.publish.cloudfront_function")
    parser.add_argument("manifest", type=Path, help="the build's quire-manifest.json")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    try:
        manifest = Manifest.from_json(
            args.manifest.read_text(encoding="utf-8"), origin=str(args.manifest)
        )
        rendered = render_for_manifest(manifest)
    except (OSError, ManifestError, RedirectMapError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(rendered.code, encoding="utf-8")
    else:
        sys.stdout.write(rendered.code)
    plural = "" if rendered.embedded == 1 else "s"
    note = rendered.fallback or f"{rendered.embedded} alias redirect{plural} embedded"
    print(f"viewer-request function: {rendered.size} bytes; {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

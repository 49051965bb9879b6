"""Broken internal links and missing images: noted while parsing, checked once per build.

Parsing notes each document's site-internal link and image targets (from the HTML it
renders anyway, with the source line they are written on); the build cache keeps them
with the document. After the write stage, `check_links` looks each one up among the
files the build provides: a set lookup per link, no output changed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping
from urllib.parse import unquote, urljoin, urlsplit

from builder.model import Cover, Diagnostic, Site

Link = tuple[str, int | None, bool]  # (target as written, source line, is an image)
_TARGET = re.compile(r'<(a|img)\s[^>]*?\b(?:href|src)="([^"]*)"')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_WEB = ("http://", "https://")  # the only absolute links `noted_links` keeps
DYNAMIC = ("api/",)  # served by the interaction API, not by the build


def noted_links(
    body_html: str,
    markdown: str,
    *,
    first_line: int,
    cover: Cover | None,
    cover_line: int | None,
) -> tuple[Link, ...]:
    """The links and images of a rendered body that may point into the site (relative,
    root-relative or absolute http(s), which may be the site's own address)."""
    links: list[Link] = []
    for tag, raw in _TARGET.findall(body_html):
        target = html.unescape(raw)
        if _maybe_internal(target):
            at = markdown.find(target)
            line = None if at < 0 else first_line + markdown.count("\n", 0, at)
            links.append((target, line, tag == "img"))
    if cover is not None and _maybe_internal(cover.src):
        links.append((cover.src, cover_line, True))
    return tuple(links)


def _maybe_internal(target: str) -> bool:
    if not target or target.startswith(("#", "//")):
        return False
    return not _SCHEME.match(target) or target.startswith(_WEB)


def check_links(site: Site, provided: Collection[str] | Mapping[str, object]) -> list[Diagnostic]:
    """A warning for every internal link or image of a published document whose target
    the built files (`provided`: output paths) do not provide."""
    base_url = site.config.base_url
    base = urlsplit(base_url)
    own = base_url.rstrip("/") + "/" if base_url else "\0"  # "\0": no link starts so
    problems = []
    for doc in (*site.posts, *site.pages):
        for target, line, image in doc.links:
            # most links a post notes lead to other sites: settled without urljoin,
            # which would cost a tenth of a second per build at 5,000 posts
            if target.startswith(_WEB) and not target.startswith(own) and target != base_url:
                continue
            path = _site_path(urljoin(doc.url, target), base_url, base.path.rstrip("/"))
            if path is None or path.startswith(DYNAMIC) or _provided(path, provided):
                continue
            problems.append(_warning(doc.source, target, line, image))
    return problems


def _site_path(url: str, base_url: str, base_path: str) -> str | None:
    """The output path a URL names, or None when it points outside the site."""
    if _SCHEME.match(url):
        if not base_url or not (url == base_url or url.startswith(base_url.rstrip("/") + "/")):
            return None
        url = url[len(base_url.rstrip("/")) :] or "/"
    path = unquote(urlsplit(url).path)
    if base_path and (path == base_path or path.startswith(base_path + "/")):
        path = path[len(base_path) :] or "/"
    return path.lstrip("/")


def _provided(path: str, provided: Collection[str] | Mapping[str, object]) -> bool:
    if path == "" or path.endswith("/"):
        return path + "index.html" in provided
    return path in provided or path + "/index.html" in provided


def _warning(source: str, target: str, line: int | None, image: bool) -> Diagnostic:
    if image:
        message = f"shows the image {target}, which is not in the site."
        hint = "Add the file under static/, or fix the path."
    else:
        message = f"links to {target}, which no page or file of the site provides."
        hint = "Fix the link, or add the page it points to."
    return Diagnostic("warning", source, message, hint, line)

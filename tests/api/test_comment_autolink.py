"""Plain http(s) URLs in a comment become links, still sanitised and still cheap (issue 19)."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

from fastapi import FastAPI
from interaction_helpers import THREAD, dangers, member, posted

from interactions_api.errors import Unprocessable
from interactions_api.services.markup import render


def test_a_plain_url_in_a_comment_is_linked_with_the_ugc_rel(
    app: FastAPI, make_user: Any, manifest: Any
) -> None:
    manifest(THREAD)
    reader = member(app, make_user)
    html = posted(reader, "Docs at https://docs.example/start?x=1. Worth it.")["html"]
    assert (
        '<a href="https://docs.example/start?x=1" rel="nofollow ugc noopener">'
        "https://docs.example/start?x=1</a>." in html
    ), html


def test_only_http_urls_are_linked_and_the_sanitiser_still_applies() -> None:
    for body in (
        "www.example.com",  # no scheme: left as text, as the reader wrote it
        "mail me at a@example.com",
        "ftp://files.example/x",
        "//evil.example/x",
        "javascript:alert(1)//https://x.example",
    ):
        assert "<a " not in render(body).replace('<a href="https://x.example"', ""), body
    html = render("see http://a.example/<script>alert(1)</script>")
    assert dangers(html) == [], html
    assert '<a href="http://a.example/" rel="nofollow ugc noopener">' in html, html


def test_a_16_kib_comment_full_of_urls_renders_fast() -> None:
    """Linking URLs keeps a comment within its CPU budget: rendered, or (hundreds of links
    in one comment, which is spam) refused at once with 422 naming the body."""
    bodies = [
        ("https://a.example/" * 1000)[: 16 * 1024],
        ("http://" * 3000)[: 16 * 1024],
        ("https://" + "a." * 9000)[: 16 * 1024],
        ("word https://b.example/(x) " * 700)[: 16 * 1024],
    ]
    for body in bodies:
        start = time.perf_counter()
        try:
            render(body)
        except Unprocessable as exc:
            assert exc.extra["fields"][0]["field"] == "body", body[:40]
        assert time.perf_counter() - start < 0.5, body[:40]


def test_the_first_comment_with_a_url_in_a_fresh_process_renders() -> None:
    """Set-up costs (linkify-it compiles its regexes on first use) are not the comment's."""
    code = (
        "from interactions_api.services.markup import render\n"
        "print(render('See https://example.org/a for *more*.'))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-500:]
    assert '<a href="https://example.org/a" rel="nofollow ugc noopener">' in done.stdout

"""Hostile comments and display names never run script in a reader's browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import Watch
from .harness import Served
from .ui import bar, comments, open_composer, sign_up

pytestmark = pytest.mark.browser

THREAD = "hostile"
# Each payload, if it ever ran, would set window.__xss or open a dialog.
CORPUS = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 2">',
    '<svg onload="window.__xss = 3"></svg>',
    "[click me](javascript:window.__xss=4)",
    "![pic](javascript:window.__xss=5)",
    '<a href="javascript:window.__xss=6">a link</a>',
    '<iframe srcdoc="<script>parent.__xss=7</script>"></iframe>',
    '"><img src=x onerror=window.__xss=8>',
    '<details open ontoggle="window.__xss=9"><summary>x</summary></details>',
    "[data](data:text/html,<script>alert(10)</script>)",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=11>",
    "`<img src=x onerror=alert(12)>` and ```\n<script>alert(13)</script>\n```",
    '<a href="jav&#x09;ascript:alert(14)">tab</a> [x](JaVaScRiPt:alert(15))',
]
NAMES = [
    "<img src=x onerror=window.__xss=20>",
    '"><script>window.__xss=21</script>',
    "<svg/onload=alert(22)>",
]


def _section_is_inert(page: Any) -> None:
    found = page.evaluate(
        """() => {
          const root = document.querySelector('section#comments');
          const bad = [];
          const risky = ['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'STYLE'];
          for (const el of root.querySelectorAll('*')) {
            for (const a of el.attributes) {
              const where = el.tagName + ' ' + a.name;
              if (a.name.startsWith('on')) bad.push(where);
              if (/^\\s*(javascript|data|vbscript):/i.test(a.value)) bad.push(where);
            }
            if (risky.includes(el.tagName)) bad.push(el.tagName);
          }
          return bad;
        }"""
    )
    assert found == []


def test_xss_corpus_never_runs(page: Any, served: Served, email: str, watch: Watch) -> None:
    # Post the corpus through the API from three accounts whose names are payloads too
    # (each account may post COMMENTS_PER_MINUTE a minute).
    authors = [served.user(name, f"xss{n}-{email}") for n, name in enumerate(NAMES)]
    for n, body in enumerate(CORPUS[:-1]):
        r = authors[n % len(authors)].post(f"/api/threads/{THREAD}/comments", json={"body": body})
        assert r.status_code == 201, r.text
    page.goto(f"/posts/{THREAD}/")
    sign_up(page, NAMES[0] + " reader", email)
    box = open_composer(page)  # the last one goes through the widget itself, with a preview
    box.fill(CORPUS[-1])
    comments(page).get_by_role("button", name="Preview").click()
    expect(comments(page).locator(".quire-preview")).to_contain_text("tab")
    comments(page).get_by_role("button", name="Write", exact=True).click()
    comments(page).get_by_role("button", name="Post comment").click()
    expect(box).to_have_value("")

    page.reload()
    expect(comments(page).locator("li.quire-c")).to_have_count(len(CORPUS))
    # Names are shown as text, exactly as typed (or as the API cleaned them), never as markup.
    who = comments(page).locator(".quire-who").all_text_contents()
    assert any("onerror" in w for w in who), who
    expect(comments(page).locator(".quire-who img, .quire-who svg")).to_have_count(0)
    expect(bar(page).get_by_text("Signed in as")).to_contain_text("onerror")
    # Hover and click everything a reader might touch in the comments.
    for link in comments(page).locator(".quire-body a").all():
        link.hover()
    for details in comments(page).locator("details").all():
        details.click()
    page.wait_for_timeout(300)
    _section_is_inert(page)
    assert page.evaluate("window.__xss") is None
    assert watch.dialogs == []
    assert watch.errors == []

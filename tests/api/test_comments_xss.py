"""An XSS corpus through comment bodies, display names and websites: all of it comes out inert.

Each stored HTML fragment is parsed with an HTML parser (not string matching) and must
contain no script-capable element, no event handler attribute and no dangerous URL.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from interaction_helpers import THREAD, dangers, listing, member, posted
from sqlmodel import Session

from interactions_api.models.user import User
from interactions_api.services.markup import render

CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=1/></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;vascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[click](file:///etc/passwd)",
    "![x](javascript:alert(1))",
    "![x](https://tracker.example/pixel.gif)",
    '[x](https://ok.example/ "title\\" onmouseover=\\"alert(1)")',
    "<https://ok.example/?q=<script>>",
    "<javascript:alert(1)>",
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!-- --><script>alert(1)</script><!-- -->",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<form action=javascript:alert(1)><input type=submit></form>",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "<base href=javascript:/>",
    "[a](<javascript:alert(1)>)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<details open ontoggle=alert(1)>",
    '"><img src=x onerror=alert(1)>',
]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"moderation": "none", "anonymous_comments": True, "comments_per_minute": 1000}


@pytest.mark.parametrize("body", CORPUS)
def test_markup_renderer_output_is_inert(body: str) -> None:
    assert dangers(render(body)) == [], render(body)


def test_corpus_in_comment_bodies_is_inert_in_the_json(
    app: FastAPI, client: Any, make_user: Any, manifest: Any
) -> None:
    manifest(THREAD)
    reader = member(app, make_user)
    for body in CORPUS:
        posted(reader, body)
    data = listing(client)
    assert len(data["comments"]) == len(CORPUS)
    for comment, body in zip(data["comments"], CORPUS, strict=True):
        assert dangers(comment["html"]) == [], (body, comment["html"])
    # Safe links survive, with the rel that keeps them from passing ranking or opener.
    link = posted(reader, "[ok](https://ok.example/page)")["html"]
    assert link == ('<p><a href="https://ok.example/page" rel="nofollow ugc noopener">ok</a></p>')


@pytest.mark.parametrize(
    ("website", "shown"),
    [
        ("javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ('https://ok.example/" onmouseover="alert(1)', None),
        ("//evil.example", None),
        ("https://ok.example/me", "https://ok.example/me"),
    ],
)
def test_display_names_and_websites_come_out_inert(
    app: FastAPI, client: Any, make_user: Any, manifest: Any, website: str, shown: str | None
) -> None:
    manifest(THREAD)
    name = '<img src=x onerror=alert(1)>"><script>alert(1)</script>'
    reader = member(app, make_user, display_name=name)
    # Whatever the profile rules let through, the listing only ever hands out http(s) URLs.
    with Session(app.state.engine) as db:
        user = db.get(User, reader.user.id)
        assert user is not None
        user.website = website
        db.add(user)
        db.commit()
    posted(reader, "hi")
    author = listing(client)["comments"][0]["author"]
    assert author["website"] == shown
    # The name is plain text in JSON (the widget sets it as text): it is not HTML here,
    # and it is returned as given so nothing is silently changed.
    assert author["display_name"] == name


def test_anonymous_name_and_website_are_checked(client: Any, manifest: Any) -> None:
    manifest(THREAD)
    anon = {"elapsed_ms": 10_000, "name": "Eve\u202e<b>x</b>\x00"}
    bad = client.post(
        f"/api/threads/{THREAD}/comments",
        json={"body": "hi", "website": "javascript:alert(1)", **anon},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_website"
    made = posted(client, "hi", website="https://eve.example/", **anon)
    assert "\x00" not in made["author"]["display_name"]
    assert "\u202e" not in made["author"]["display_name"]
    assert made["author"]["website"] == "https://eve.example/"
